#!/bin/bash
# gen-dirscan.sh OUTDIR — directory-scan input (port of the shared baseline-dirscan.sh).
# OUTDIR/tree: 20,000 files, ~200 MiB (log-normal size mix, 10 files of 3-6 MiB) with 8 planted
# fake secrets. DIRSCAN_FILES=N scales files and bytes down proportionally. Deterministic.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
OUT=${1:?usage: $0 OUTDIR}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
GEN=$(gen_bin)
rm -rf "$OUT/tree"; mkdir -p "$OUT/tree"
"$GEN" dirscan "$OUT/tree" "$SEED" 2> "$OUT/planted.txt"
echo "tree: $OUT/tree  files $(find "$OUT/tree" -type f | wc -l)  content-sha256 $(cd "$OUT/tree" && find . -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
