# bench/lib.sh — shared by the bench scripts (sourced, not run).
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
CACHE=${SWIFTCLAW_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/swiftclaw-bench}
SEED=${SEED:-20261203}
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

# gen_bin builds the input generator (bench/gen) into the cache and prints its path.
gen_bin() {
	mkdir -p "$CACHE/bin"
	(cd "$REPO_DIR" && go build -o "$CACHE/bin/gen" ./bench/gen)
	echo "$CACHE/bin/gen"
}
