#!/bin/bash
# gen-history.sh OUTDIR — history-scan input (port of the shared baseline-history.sh).
# OUTDIR/repo: 2,000 linear commits over 300 code-like files; 5 fake secrets added at commits
# 300/700/1100/1500/1900 and removed 40 commits later. HISTORY_COMMITS=N changes the length.
# Deterministic (fixed SEED and dates => same commit ids; git fast-import, then repacked).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
OUT=${1:?usage: $0 OUTDIR}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
GEN=$(gen_bin)
rm -rf "$OUT/repo"; git init -q -b main "$OUT/repo"
"$GEN" history "$SEED" 2> "$OUT/planted.txt" | git -C "$OUT/repo" fast-import --quiet
git -C "$OUT/repo" repack -adq && git -C "$OUT/repo" prune-packed
git -C "$OUT/repo" reset -q --hard main
echo "repo: $OUT/repo  HEAD $(git -C "$OUT/repo" rev-parse HEAD)  commits $(git -C "$OUT/repo" rev-list --count HEAD)  files $(git -C "$OUT/repo" ls-files | wc -l)"
