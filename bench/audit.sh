#!/usr/bin/env bash
# Audit log benchmarks (issue 7). Prints:
#   - append throughput with an fsync per entry and with batched fsync (Go benchmarks);
#   - verify and query speed over a 100,000-entry log (Go benchmarks);
#   - `audit secrets`-style queries and `audit verify` over a 1,000,000-entry log
#     generated into a temp dir, each in its own process, with wall and CPU time and
#     peak RSS (VmHWM).
# Usage: bench/audit.sh [ENTRIES]   (default 1000000). Needs ~400 MB in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== Go benchmarks (audit/bench_test.go)"
go test -run '^$' -bench 'AppendFsyncPerEntry|AppendBatched' -benchtime 3s ./audit/ | grep -E '^Benchmark'
go test -run '^$' -bench 'Verify|QueryTable' -benchtime 5x ./audit/ | grep -E '^Benchmark'

echo "== $n-entry log ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
go build -o "$tmp/auditbench" ./bench/cmd/auditbench
log="$tmp/audit.jsonl"
"$tmp/auditbench" gen -log "$log" -n "$n"
"$tmp/auditbench" verify -log "$log"
"$tmp/auditbench" table -log "$log" -agent agent-0
"$tmp/auditbench" table -log "$log" -agent agent-0 -secret secret-0
"$tmp/auditbench" table -log "$log" -agent ""
"$tmp/auditbench" json -log "$log" -agent ""
