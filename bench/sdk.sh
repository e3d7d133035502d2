#!/usr/bin/env bash
# `get` latency through the Python SDK, on a throwaway repository made like `make demo`'s:
#   cold     a new python process per get: Agent(...).secrets.get_sync (starts swiftclaw serve)
#   cli      a new `swiftclaw secrets get` process per get (the same work without Python)
#   warm     one process, one long-lived `swiftclaw serve --stdio`, many gets
#   channel  one process inside `swiftclaw run`, many gets over the run channel
#   cached   a get answered from the SDK's in-memory cache
# warm and channel clear the cache before each get, so every get is a real round trip
# (decrypting the secret each time). Prints the median of each.
# Usage: bench/sdk.sh [COLD_RUNS] [WARM_RUNS]
set -euo pipefail
COLD=${1:-30}
WARM=${2:-300}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/swiftclaw-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

export HOME="$WORK/home" XDG_CONFIG_HOME="" GIT_CONFIG_NOSYSTEM=1
unset SWIFTCLAW_AGE_KEY SWIFTCLAW_AGE_KEY_FILE SOPS_AGE_KEY_FILE SWIFTCLAW_CHANNEL_FD
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com"
export GIT_COMMITTER_NAME="Bench" GIT_COMMITTER_EMAIL="bench@example.com"
mkdir -p "$HOME"
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/bin/swiftclaw" ./cmd/swiftclaw)
export PATH="$WORK/bin:$PATH" SWIFTCLAW_BIN="$WORK/bin/swiftclaw" PYTHONPATH="$ROOT/sdk/python/src"
# The interpreter itself, not a version manager's shim script in front of it.
PY=$(python3 -c 'import sys; print(sys.executable)')

git init -q -b main "$WORK/repo"
cd "$WORK/repo"
swiftclaw keys generate >/dev/null 2>&1
swiftclaw init >/dev/null 2>&1
printf %s sk-abc123-bench | swiftclaw secrets set my-agent api-key --value-stdin >/dev/null 2>&1

cat > "$WORK/inner.py" <<'PY'
# Many gets in one process; prints the median per-get time in microseconds.
import statistics, sys, time
from swiftclaw import Agent
n, mode = int(sys.argv[1]), sys.argv[2]
agent = Agent("my-agent")
agent.secrets.get_sync("api-key")  # start the server / open the channel
times = []
for _ in range(n):
    if mode != "cached":
        agent.secrets.clear_cache()
    t = time.perf_counter()
    agent.secrets.get_sync("api-key")
    times.append(time.perf_counter() - t)
print(statistics.median(times) * 1e6)
PY

cat > "$WORK/outer.py" <<'PY'
# Times whole processes; prints the median wall time in microseconds.
import statistics, subprocess, sys, time
n, argv = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(n):
    t = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
print(statistics.median(times) * 1e6)
PY

cold=$("$PY" "$WORK/outer.py" "$COLD" "$PY" -c "from swiftclaw import Agent; Agent('my-agent').secrets.get_sync('api-key')")
cli=$("$PY" "$WORK/outer.py" "$COLD" swiftclaw secrets get my-agent api-key)
pystart=$("$PY" "$WORK/outer.py" "$COLD" "$PY" -c "import swiftclaw")
warm=$("$PY" "$WORK/inner.py" "$WARM" warm)
channel=$(swiftclaw run my-agent -- "$PY" "$WORK/inner.py" "$WARM" channel)
cached=$("$PY" "$WORK/inner.py" "$WARM" cached)

"$PY" - "$cold" "$cli" "$pystart" "$warm" "$channel" "$cached" "$COLD" "$WARM" <<'PY'
import sys
cold, cli, pystart, warm, channel, cached = (float(x) for x in sys.argv[1:7])
ncold, nwarm = sys.argv[7:9]
rows = [
    ("cold: new python process per get (python -c ... get_sync)", cold, ncold),
    ("  of which: python startup + import swiftclaw", pystart, ncold),
    ("cli: new `swiftclaw secrets get` process per get", cli, ncold),
    ("warm: one `swiftclaw serve --stdio`, per get", warm, nwarm),
    ("run channel (inside `swiftclaw run`), per get", channel, nwarm),
    ("cached get (in-memory, until expiry)", cached, nwarm),
]
def fmt(us):
    return "%8.2f ms" % (us / 1000) if us >= 1000 else "%8.1f us" % us
print("%s, %s" % (sys.version.split()[0], "median of each"))
print("%-60s %11s %6s %12s" % ("path", "median", "runs", "cold / this"))
for name, us, n in rows:
    print("%-60s %11s %6s %11.0fx" % (name, fmt(us), n, cold / us))
PY
