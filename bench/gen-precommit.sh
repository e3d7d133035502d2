#!/bin/bash
# gen-precommit.sh OUTDIR — pre-commit latency input (port of the shared baseline-precommit.sh).
# OUTDIR/repo: one commit of 5,000 code-like files (~2 KiB each, 50 package dirs, no secrets),
# then 20 modified files staged: one gains a fake AWS key pair, another a fake GitHub token.
# Deterministic (fixed SEED, fixed author/dates => same commit ids).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
OUT=${1:?usage: $0 OUTDIR}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
export GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z'
GEN=$(gen_bin)
rm -rf "$OUT/repo"; mkdir -p "$OUT/repo"
"$GEN" precommit base "$OUT/repo" "$SEED"
cd "$OUT/repo"
git init -q -b main .
git add -A && git commit -q -m "base: 5000 files"
"$GEN" precommit modify "$OUT/repo" "$SEED" > "$OUT/modified.txt"
git add -A
echo "repo: $OUT/repo  HEAD $(git rev-parse HEAD)  files $(git ls-files | wc -l)  staged $(git diff --cached --name-only | wc -l)"
