#!/bin/bash
# bench/revoke.sh [OUTDIR] — revoke one user from 1,000 secrets with 20 recipients each:
# `swiftclaw secrets revoke` against `sops updatekeys -y` on the same 1,000 files (same
# plaintext and the same 20 age keys as the shared baseline-sops-updatekeys.sh, whose sops
# steps are ported here), timed in one run, reported as files/s and a ratio.
#
#   ROUNDS=N   timed rounds of each tool, interleaved; the median is reported (default 3)
#   SEED=N     generator seed (default 20261203, the baseline's)
#   TOOLS=DIR  where sops is installed with `go install` (default ~/.cache/swiftclaw-tools)
#
# Each round restores a pristine copy first (not timed). The swiftclaw time is the whole
# command: policy edit, parallel re-encryption of 1,000 files, the git-history report of what
# the revoked key can still read, and the git commit. sops runs one process per file, as
# `sops updatekeys` takes one file. Needs: go, git.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$(mktemp -d)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SEED=${SEED:-20261203}
ROUNDS=${ROUNDS:-3}
TOOLS=${TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/swiftclaw-tools}
export SOPS_DISABLE_VERSION_CHECK=1

echo "building swiftclaw and the generator; installing sops into $TOOLS" >&2
mkdir -p "$OUT/bin" "$TOOLS"
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$OUT/bin/swiftclaw" ./cmd/swiftclaw &&
	go build -o "$OUT/bin/revokegen" ./bench/cmd/revokegen)
[ -x "$TOOLS/sops" ] || GOBIN="$TOOLS" go install github.com/getsops/sops/v3/cmd/sops@latest
export PATH=$TOOLS:$PATH
SC=$OUT/bin/swiftclaw

# Keep the user's git configuration (signing, hooks) and identities out of the run.
export HOME=$OUT/home GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$OUT/home/.gitconfig
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=u00@example.com GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=u00@example.com
unset SWIFTCLAW_AGE_KEY SWIFTCLAW_AGE_KEY_FILE
mkdir -p "$HOME"

echo "generating 1,000 files x 20 recipients (seed $SEED)" >&2
rm -rf "$OUT/keys" "$OUT/plain" "$OUT/swift" "$OUT/pristine" "$OUT/work" "$OUT/swift-work"
"$OUT/bin/revokegen" "$OUT" "$SEED"
[ "$(grep -c '^  - age1' "$OUT/swift/.swiftclaw/agents/bench/secrets/s0000.yaml")" = 20 ]

# sops input, as baseline-sops-updatekeys.sh makes it: encrypted to all 20, rule lists 19.
mkdir -p "$OUT/pristine/secrets"
cp "$OUT"/plain/*.yaml "$OUT/pristine/secrets/"
cp "$OUT/sops-20.yaml" "$OUT/pristine/.sops.yaml"
export SOPS_AGE_KEY_FILE=$OUT/keys/k00.txt
(cd "$OUT/pristine" && ls secrets/*.yaml | xargs -P 2 -n 50 sh -c 'for f; do sops encrypt -i "$f" || exit 1; done' sh)
cp "$OUT/sops-19.yaml" "$OUT/pristine/.sops.yaml"
[ "$(grep -c 'recipient: age1' "$OUT/pristine/secrets/s0000.yaml")" = 20 ]

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
run_swiftclaw() {
	rm -rf "$OUT/swift-work" && cp -a "$OUT/swift" "$OUT/swift-work"
	local t0 t1
	t0=$(now)
	"$SC" -C "$OUT/swift-work" --identity "$OUT/keys/k00.txt" secrets revoke bench '*' --user u19@example.com >"$OUT/revoke.out" 2>"$OUT/revoke.err"
	t1=$(now)
	elapsed "$t0" "$t1"
}
run_sops() {
	rm -rf "$OUT/work" && cp -a "$OUT/pristine" "$OUT/work"
	local t0 t1
	t0=$(now)
	(cd "$OUT/work" && for f in secrets/*.yaml; do sops updatekeys -y "$f" >/dev/null 2>&1; done)
	t1=$(now)
	elapsed "$t0" "$t1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

sw=() so=()
for r in $(seq "$ROUNDS"); do
	sw+=("$(run_swiftclaw)")
	so+=("$(run_sops)")
	echo "round $r: swiftclaw ${sw[-1]} s, sops ${so[-1]} s" >&2
done

# Both did the job: 19 recipients left, the revoked key locked out of the new files.
f=$OUT/swift-work/.swiftclaw/agents/bench/secrets/s0500.yaml
[ "$(grep -c '^  - age1' "$f")" = 19 ] || { echo "swiftclaw left the wrong recipients" >&2; exit 1; }
grep -q '^rotation_required:' "$f"
"$SC" -C "$OUT/swift-work" --identity "$OUT/keys/k00.txt" secrets get bench s0500 | cmp - "$OUT/plain/s0500.yaml"
if "$SC" -C "$OUT/swift-work" --identity "$OUT/keys/k19.txt" secrets get bench s0500 >/dev/null 2>&1; then
	echo "the revoked key still reads the re-encrypted file" >&2
	exit 1
fi
[ "$(grep -c '^  bench/s[0-9]* v1 (commit ' "$OUT/revoke.out")" = 1000 ]
[ "$(grep -c 'recipient: age1' "$OUT/work/secrets/s0500.yaml")" = 19 ]
(cd "$OUT/work" && sops -d secrets/s0500.yaml | cmp - "$OUT/plain/s0500.yaml")

msw=$(printf '%s\n' "${sw[@]}" | median)
mso=$(printf '%s\n' "${so[@]}" | median)
awk -v sw="$msw" -v so="$mso" -v n="$ROUNDS" -v cpu="$(nproc)" 'BEGIN {
	printf "revoke one of 20 recipients from 1,000 files (%d cores, median of %d rounds)\n", cpu, n
	printf "%-46s %9s %9s\n", "tool", "seconds", "files/s"
	printf "%-46s %9.2f %9.0f\n", "swiftclaw secrets revoke (one process)", sw, 1000 / sw
	printf "%-46s %9.2f %9.0f\n", "sops updatekeys -y (one process per file)", so, 1000 / so
	printf "ratio: swiftclaw is %.1fx faster than sops\n", so / sw
}'
