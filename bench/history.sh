#!/bin/bash
# bench/history.sh [OUTDIR] — secret versions on a long history, side by side with git.
#
# Builds OUTDIR/repo: 5,000 linear commits, 1,000 code-like files and 200 real swiftclaw
# secrets (bench/cmd/historygen, written with the vault library; the layout ports the
# shared baseline-logwalk.sh), where .swiftclaw/agents/a/secrets/api-key.yaml gets a new
# value in 50 commits. Written with git fast-import and repacked, no commit-graph (like a
# fresh clone). Then measures, in one run, medians of RUNS runs each:
#   secrets versions a api-key           vs  git log --format=%H -- PATH        (goal <= 2x)
#   secrets get a api-key --version v1   vs  git show C:PATH  +  age -d (one)   (goal < 2x)
# both with swiftclaw's history cache warm (the usual case: .git/swiftclaw/versions is
# written by the first read and extended incrementally) and cold (removed before each
# run: one full log walk). Finally go-git's path-filtered log, once (SKIP_GOGIT=1 skips).
# Timing: bench/cmd/sidebyside (interleaved rounds, medians); hyperfine, when installed,
# as a cross-check. Needs go, git.
# Environment: RUNS (default 30), SEED, REGEN=1 (rebuild the repository), TOOLS (where
# age and gogitlog are installed; default ~/.cache/swiftclaw-bench/bin), GOGIT_TIMEOUT.
set -euo pipefail
OUT=${1:-${TMPDIR:-/tmp}/swiftclaw-bench-history}; SEED=${SEED:-20261203}; RUNS=${RUNS:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/swiftclaw-bench/bin}
mkdir -p "$OUT/bin" "$TOOLS"; OUT=$(cd "$OUT" && pwd)
P=.swiftclaw/agents/a/secrets/api-key.yaml

(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$OUT/bin/swiftclaw" ./cmd/swiftclaw &&
  go build -o "$OUT/bin/historygen" ./bench/cmd/historygen && go build -o "$OUT/bin/sidebyside" ./bench/cmd/sidebyside)
[ -x "$TOOLS/age" ] || GOBIN=$TOOLS go install filippo.io/age/cmd/...@v1.3.2
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME="$OUT/home" SWIFTCLAW_AGE_KEY_FILE="$OUT/key.txt"
mkdir -p "$HOME"
SC=$OUT/bin/swiftclaw AGE=$TOOLS/age

if [ -n "${REGEN:-}" ] || [ ! -d "$OUT/repo/.git" ] || [ ! -f "$OUT/key.txt" ]; then
  rm -rf "$OUT/repo" "$OUT/work" "$OUT/key.txt"; mkdir -p "$OUT/work"
  "$SC" keys generate --out "$OUT/key.txt" >/dev/null 2>&1
  git init -q -b main "$OUT/repo"
  echo "generating $OUT/repo (about a minute)..."
  "$OUT/bin/historygen" "$SEED" "$OUT/work" "$OUT/key.txt" | git -C "$OUT/repo" fast-import --quiet
  git -C "$OUT/repo" repack -adq && git -C "$OUT/repo" prune-packed
  git -C "$OUT/repo" reset -q --hard main
  rm -rf "$OUT/work"
fi
cd "$OUT/repo"
rm -rf .git/swiftclaw
echo "repo: $OUT/repo  commits $(git rev-list --count HEAD)  files $(git ls-files | wc -l)  secrets $(git ls-files '.swiftclaw/agents/*/secrets/*' | wc -l)  commits touching $P: $(git log --format=%H -- $P | wc -l)"
C1=$(git log --format=%H -- $P | tail -1)
git show "$C1:$P" | sed -n '/BEGIN AGE/,/END AGE/s/^ *//p' > "$OUT/v1.age"
# age -d prints swiftclaw's envelope: a magic line, the sealed binding, then the value.
[ "$("$SC" secrets get a api-key --version v1)" = "$("$AGE" -d -i "$OUT/key.txt" "$OUT/v1.age" | tail -n +3)" ] ||
  { echo "swiftclaw and age disagree on v1"; exit 1; }

# Primary: bench/cmd/sidebyside runs all commands interleaved (round after round), so load
# from other processes on a shared machine falls on peers and swiftclaw alike; it reports
# median wall time and median CPU (user+sys, children included). Cold runs remove
# swiftclaw's history cache first, which also leaves it warm for the warm runs after them.
"$SC" secrets versions a api-key >/dev/null
"$OUT/bin/sidebyside" -runs "$RUNS" \
  "gitlog||git log --format=%H -- $P" \
  "versions_cold|rm -rf .git/swiftclaw|$SC secrets versions a api-key" \
  "versions_warm||$SC secrets versions a api-key" \
  "gitshow||git show $C1:$P" \
  "agedec||$AGE -d -i $OUT/key.txt $OUT/v1.age" \
  "get_cold|rm -rf .git/swiftclaw|$SC secrets get a api-key --version v1" \
  "get_warm||$SC secrets get a api-key --version v1" > "$OUT/sidebyside.txt"
declare -A W C
while read -r name wall cpu; do W[$name]=$wall C[$name]=$cpu; done < "$OUT/sidebyside.txt"
W[peer]=$(awk -v a="${W[gitshow]}" -v b="${W[agedec]}" 'BEGIN {print a + b}')
C[peer]=$(awk -v a="${C[gitshow]}" -v b="${C[agedec]}" 'BEGIN {print a + b}')
row() { # LABEL NAME PEER
  awk -v l="$1" -v w="${W[$2]}" -v c="${C[$2]}" -v pw="${W[$3]}" -v pc="${C[$3]}" \
    'BEGIN {printf "| %s | %.1f ms | %.2fx | %.1f ms | %.2fx |\n", l, w, w / pw, c, c / pc}'
}
echo
echo "interleaved, $RUNS rounds (bench/cmd/sidebyside): medians"
echo "| measurement | wall | ratio | CPU | ratio |"
echo "|---|---|---|---|---|"
row "git log --format=%H -- PATH (peer)" gitlog gitlog
row "swiftclaw secrets versions, cache warm" versions_warm gitlog
row "swiftclaw secrets versions, cache cold (full walk)" versions_cold gitlog
row "git show C:PATH + age -d (peer: ${W[gitshow]} + ${W[agedec]} ms)" peer peer
row "swiftclaw secrets get --version v1, cache warm" get_warm peer
row "swiftclaw secrets get --version v1, cache cold (full walk)" get_cold peer

# Cross-check with hyperfine when installed (it times one command at a time).
if command -v hyperfine >/dev/null; then
  echo
  echo "hyperfine $(hyperfine --version | cut -d' ' -f2), one command at a time: medians"
  hyperfine -N -w 3 -r "$RUNS" --style none --export-json "$OUT/hyperfine.json" \
    "git log --format=%H -- $P" "$SC secrets versions a api-key" \
    "git show $C1:$P" "$AGE -d -i $OUT/key.txt $OUT/v1.age" "$SC secrets get a api-key --version v1" >/dev/null 2>&1
  awk '/"command"/ {c = $0; sub(/^[^:]*: *"/, "", c); sub(/",?$/, "", c)}
    /"median"/ {m = $0; sub(/^[^:]*: */, "", m); sub(/,$/, "", m); printf "  %8.1f ms  %s\n", m * 1000, c}' "$OUT/hyperfine.json"
fi

if [ -z "${SKIP_GOGIT:-}" ]; then
  if [ ! -x "$TOOLS/gogitlog" ]; then
    # bench/gogitlog is its own module (go-git is not a dependency of swiftclaw).
    rm -rf "$OUT/gogitlog" && cp -r "$ROOT/bench/gogitlog" "$OUT/gogitlog"
    (cd "$OUT/gogitlog" && go mod tidy >/dev/null 2>&1 && go build -trimpath -o "$TOOLS/gogitlog" .)
  fi
  s=$(date +%s%N)
  if timeout "${GOGIT_TIMEOUT:-600}" "$TOOLS/gogitlog" . $P filename keepfd > "$OUT/gogit.out"; then
    e=$(date +%s%N)
    cmp -s "$OUT/gogit.out" <(git log --format=%H -- $P) && same=same || same=DIFFERENT
    echo
    echo "go-git path-filtered log (LogOptions.FileName, KeepDescriptors), one run: $(awk -v t=$(((e - s) / 1000)) 'BEGIN {printf "%.1f s", t / 1e6}')" \
      "= $(awk -v t=$(((e - s) / 1000)) -v b="${W[gitlog]}" 'BEGIN {printf "%.0fx", t / 1e3 / b}') git log's median; output $same as git log"
  else
    echo
    echo "go-git path-filtered log: still running after ${GOGIT_TIMEOUT:-600} s (stopped)"
  fi
fi
echo
echo "reproduce: bench/history.sh $OUT   (RUNS=$RUNS)"
