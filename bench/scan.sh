#!/bin/bash
# scan.sh — swiftclaw's scanner against the gitleaks CLI, side by side on the same inputs.
#
#   bench/scan.sh [staged] [hook] [dirscan] [history]     (default: all four)
#
# (a) staged: staged scan of a 20-file change in a 5,000-file repo (the pre-commit hook's work);
#     hook: the same through the real CLI, `swiftclaw security scan --staged --check`
# (b) dirscan: working-tree scan of 20,000 files / ~200 MiB (DIRSCAN_FILES=N to scale down)
# (c) history: history scan of 2,000 commits (HISTORY_COMMITS=N to change)
#
# gitleaks v8.30.1 is installed with `go install` into the cache (outside the repository):
# ${SWIFTCLAW_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/swiftclaw-bench}, with the inputs.
# swiftclaw runs as bench/cmd/scanbench, the scan library behind `swiftclaw security scan`.
# Timing: hyperfine when installed (TIMER=loop forces the loop), else a loop that
# interleaves the two tools so load from other processes hits both alike; medians of RUNS
# runs (default 7, dirscan 3). Goals: (a) under 150 ms; (b), (c) ratio <= 1.0.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
GITLEAKS_VERSION=v8.30.1
INPUTS=${INPUTS:-$CACHE/inputs}
RUNS=${RUNS:-7}
DIRSCAN_RUNS=${DIRSCAN_RUNS:-3}
DIRSCAN_FILES=${DIRSCAN_FILES:-20000}
HISTORY_COMMITS=${HISTORY_COMMITS:-2000}
export DIRSCAN_FILES HISTORY_COMMITS
CASES=("$@"); [ ${#CASES[@]} -eq 0 ] && CASES=(staged hook dirscan history)

mkdir -p "$CACHE/bin" "$INPUTS"
GITLEAKS=$CACHE/bin/gitleaks
if [ ! -x "$GITLEAKS" ] || [ "$(cat "$CACHE/bin/gitleaks.version" 2>/dev/null)" != "$GITLEAKS_VERSION" ]; then
	echo "installing gitleaks $GITLEAKS_VERSION into $CACHE/bin" >&2
	(cd "$CACHE" && GOBIN=$CACHE/bin go install "github.com/zricethezav/gitleaks/v8@$GITLEAKS_VERSION")
	echo "$GITLEAKS_VERSION" > "$CACHE/bin/gitleaks.version"
fi
SCANBENCH=$CACHE/bin/scanbench
(cd "$REPO_DIR" && go build -trimpath -o "$SCANBENCH" ./bench/cmd/scanbench)
SWIFTCLAW=$CACHE/bin/swiftclaw
(cd "$REPO_DIR" && CGO_ENABLED=0 go build -trimpath -o "$SWIFTCLAW" ./cmd/swiftclaw)

# input NAME GENERATOR PARAMS: (re)generate $INPUTS/NAME unless it exists with these PARAMS.
input() {
	local dir=$INPUTS/$1 stamp="$2 seed=$SEED $3"
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
		echo "generating $1 ($3)" >&2
		rm -rf "$dir"
		"$BENCH_DIR/$2" "$dir" >&2
		echo "$stamp" > "$dir/.stamp"
	fi
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

# time_pair RUNS DIR CMD_A -- CMD_B: median wall milliseconds of each, as "A B".
time_pair() {
	local runs=$1 dir=$2; shift 2
	local a=() b=() sep=0
	for arg in "$@"; do
		if [ "$arg" = "--" ]; then sep=1; elif [ $sep = 0 ]; then a+=("$arg"); else b+=("$arg"); fi
	done
	if [ "${TIMER:-}" != loop ] && command -v hyperfine >/dev/null; then
		local j; j=$(mktemp)
		(cd "$dir" && hyperfine -N --style none --warmup 1 --runs "$runs" -i \
			--export-json "$j" "$(printf '%q ' "${a[@]}")" "$(printf '%q ' "${b[@]}")" >/dev/null)
		# hyperfine reports seconds; the two "median" fields are in command order.
		grep '"median"' "$j" | sed 's/[^0-9.]//g' | awk '{printf "%d ", $1*1000}'
		rm -f "$j"
		echo
		return
	fi
	local ta=() tb=() t
	(cd "$dir" && "${a[@]}" >/dev/null 2>&1; "${b[@]}" >/dev/null 2>&1) || true # warm-up
	for ((i = 0; i < runs; i++)); do # interleaved, so load changes hit both alike
		t=$(now_ms); (cd "$dir" && "${a[@]}" >/dev/null 2>&1) || true; ta+=($(($(now_ms) - t)))
		t=$(now_ms); (cd "$dir" && "${b[@]}" >/dev/null 2>&1) || true; tb+=($(($(now_ms) - t)))
	done
	echo "$(printf '%s\n' "${ta[@]}" | median) $(printf '%s\n' "${tb[@]}" | median)"
}

# cpu_run CPUFILE DIR CMD...: run CMD in DIR, its user+sys CPU seconds into CPUFILE.
cpu_run() {
	local cpu=$1 dir=$2; shift 2
	if [ -x /usr/bin/time ]; then
		(cd "$dir" && /usr/bin/time -f '%U %S' -o "$cpu" "$@" 2>/dev/null) || true
	else
		echo "0 0" > "$cpu"
		(cd "$dir" && "$@" 2>/dev/null) || true
	fi
}
cpu_of() { tail -n 1 "$1" | awk '{printf "%.2f", $1 + $2}'; } # time -o may add a status line first

# findings CPUFILE DIR CMD...: number of findings in a JSON report on stdout (that run's
# CPU time goes to CPUFILE).
gl_findings() { local c=$1; shift; cpu_run "$c" "$1" "${@:2}" --report-format json --report-path - | grep -c '"RuleID"' || true; }
sc_findings() {
	local c=$1 dir=$2; shift 2
	if [ "$(basename "$1")" = swiftclaw ]; then set -- "$@" --json; else set -- "$@" -format json; fi
	cpu_run "$c" "$dir" "$@" | grep -c '"rule":' || true
}

report=()
run_case() {
	local name=$1 runs=$2 dir=$3 goal=$4; shift 4
	local gl=() sc=() sep=0
	for arg in "$@"; do
		if [ "$arg" = "--" ]; then sep=1; elif [ $sep = 0 ]; then gl+=("$arg"); else sc+=("$arg"); fi
	done
	echo "timing $name ($runs runs)..." >&2
	read -r tg ts < <(time_pair "$runs" "$dir" "${gl[@]}" -- "${sc[@]}")
	local fg fs cg cs
	cg=$(mktemp); cs=$(mktemp)
	fg=$(gl_findings "$cg" "$dir" "${gl[@]}")
	fs=$(sc_findings "$cs" "$dir" "${sc[@]}")
	report+=("$(printf '%-9s %10s %10s %7s %9s %9s %6s %9s   %s' "$name" "$tg" "$ts" \
		"$(awk -v a="$ts" -v b="$tg" 'BEGIN {printf "%.2f", a/b}')" "$(cpu_of "$cg")" "$(cpu_of "$cs")" \
		"$(awk -v a="$(cpu_of "$cs")" -v b="$(cpu_of "$cg")" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}')" "$fg/$fs" "$goal")")
	rm -f "$cg" "$cs"
}

for c in "${CASES[@]}"; do
	case $c in
	staged)
		input precommit gen-precommit.sh "files=5000"
		run_case staged "$RUNS" "$INPUTS/precommit/repo" "goal: swiftclaw < 150 ms" \
			"$GITLEAKS" git --pre-commit --staged --no-banner --exit-code 0 --log-level error . -- "$SCANBENCH" -staged
		;;
	hook)
		input precommit gen-precommit.sh "files=5000"
		run_case hook "$RUNS" "$INPUTS/precommit/repo" "goal: swiftclaw < 150 ms" \
			"$GITLEAKS" git --pre-commit --staged --no-banner --exit-code 0 --log-level error . -- "$SWIFTCLAW" security scan --staged --check
		;;
	dirscan)
		input "dirscan-$DIRSCAN_FILES" gen-dirscan.sh "files=$DIRSCAN_FILES"
		run_case dirscan "$DIRSCAN_RUNS" "$INPUTS/dirscan-$DIRSCAN_FILES" "goal: ratio <= 1.00" \
			"$GITLEAKS" dir --no-banner --exit-code 0 --log-level error tree -- "$SCANBENCH" -C tree
		;;
	history)
		input "history-$HISTORY_COMMITS" gen-history.sh "commits=$HISTORY_COMMITS"
		run_case history "$RUNS" "$INPUTS/history-$HISTORY_COMMITS/repo" "goal: ratio <= 1.00" \
			"$GITLEAKS" git --no-banner --exit-code 0 --log-level error . -- "$SCANBENCH" -history
		;;
	*) echo "unknown case $c (staged, hook, dirscan, history)" >&2; exit 2 ;;
	esac
done

echo
echo "swiftclaw scan vs gitleaks $GITLEAKS_VERSION; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); timer: $([ "${TIMER:-}" != loop ] && command -v hyperfine >/dev/null && echo hyperfine || echo interleaved loop)"
echo "dirscan files=$DIRSCAN_FILES, history commits=$HISTORY_COMMITS; median wall ms; CPU s (user+sys) of one run"
printf '%-9s %10s %10s %7s %9s %9s %6s %9s\n' case gitleaks swiftclaw ratio cpu-gl cpu-sc ratio findings
printf '%s\n' "${report[@]}"
