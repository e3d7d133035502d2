#!/usr/bin/env bash
# The main job, end to end, on a fresh temporary git repository: the product page's
# Environment Variables and Secret Store flow, then `swiftclaw run` of a small agent that
# proves it received its secrets by printing lengths and hashes, never the values.
# Usage: scripts/demo.sh PATH/TO/swiftclaw
set -euo pipefail
SC=${1:?usage: demo.sh path/to/swiftclaw}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/swiftclaw-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# A private HOME so the demo never touches your real identity or git config.
export HOME="$WORK/home" XDG_CONFIG_HOME="" GIT_CONFIG_NOSYSTEM=1
unset SWIFTCLAW_AGE_KEY SWIFTCLAW_AGE_KEY_FILE SOPS_AGE_KEY_FILE
export GIT_AUTHOR_NAME="Demo User" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="Demo User" GIT_COMMITTER_EMAIL="demo@example.com"
mkdir -p "$HOME"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m' R=$'\033[0m'; else B="" R=""; fi
step() { printf '\n%s$ %s%s\n' "$B" "$*" "$R"; }
run() { step "$*"; "$@"; }

cd "$WORK"
git init -q -b main agent-project
cd agent-project
echo "# my agent" > README.md && git add README.md && git commit -qm "initial commit"
SC_BIN=$(dirname "$SC")
export PATH="$SC_BIN:$PATH"

run swiftclaw keys generate
run swiftclaw init

run swiftclaw env set my-agent \
  OPENAI_API_KEY=sk-demo-openai-key \
  DATABASE_URL=postgresql://agent:pw@db.internal:5432/agent \
  STRIPE_SECRET_KEY=sk_test_demo_stripe

step "printf %s sk-abc123-demo | swiftclaw secrets set my-agent api-key --value-stdin --description \"OpenAI API Key\""
printf %s sk-abc123-demo | swiftclaw secrets set my-agent api-key --value-stdin --description "OpenAI API Key"

cat > database.crt <<'CERT'
-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUZGVtby1jZXJ0aWZpY2F0ZS1mb3Itc3dpZnRjbGF3MAoG
CCqGSM49BAMCMBIxEDAOBgNVBAMMB2RiLmRlbW8wHhcNMjQwMzAxMDAwMDAwWhcN
-----END CERTIFICATE-----
CERT
run swiftclaw secrets set my-agent db-cert --file ./database.crt
rm database.crt

step "printf %s token123 | swiftclaw secrets set my-agent temp-token --value-stdin --ttl 24h"
printf %s token123 | swiftclaw secrets set my-agent temp-token --value-stdin --ttl 24h

run swiftclaw secrets list my-agent

# The agent reads its configuration from the environment, as the product page shows.
cat > agent.sh <<'AGENT'
#!/bin/sh
# A stand-in agent: shows what it received without ever printing a value.
for v in OPENAI_API_KEY DATABASE_URL STRIPE_SECRET_KEY API_KEY DB_CERT; do
  eval "val=\${$v-}"
  if [ -n "$val" ]; then
    printf '  %-18s %4d bytes  sha256 %.16s…\n' "$v" "$(printf %s "$val" | wc -c)" "$(printf %s "$val" | sha256sum)"
  else
    printf '  %-18s missing\n' "$v"
  fi
done
AGENT
chmod +x agent.sh
step "cat > .swiftclaw/agents/my-agent/agent.yaml   # map a secret to a variable for run"
cat > .swiftclaw/agents/my-agent/agent.yaml <<'YAML'
# Settings for agent my-agent.
run:
  secrets:
    API_KEY: secret:api-key
YAML
cat .swiftclaw/agents/my-agent/agent.yaml
run git commit -qm "my-agent: map api-key for run" .swiftclaw/agents/my-agent/agent.yaml
run swiftclaw run my-agent --secret DB_CERT=secret:db-cert -- ./agent.sh

# The same agent through the Python SDK: `swiftclaw run` hands it the run channel, so it
# reads secrets with `await agent.secrets.get(...)` and holds no key itself.
if command -v python3 >/dev/null; then
  cat > agent.py <<'AGENT'
import asyncio, hashlib, os
from swiftclaw import Agent

async def main():
    agent = Agent(name="my-agent")
    api_key = await agent.secrets.get("api-key")
    print("  api-key via the SDK: %d bytes, sha256 %.16s…" % (len(api_key), hashlib.sha256(api_key.encode()).hexdigest()))
    print("  identity visible to the agent:", "SWIFTCLAW_AGE_KEY" in os.environ)
    print("  secrets:", ", ".join(s.name for s in agent.secrets.list()))

asyncio.run(main())
AGENT
  step "swiftclaw run my-agent -- python3 agent.py   # the Python SDK over the run channel"
  PYTHONPATH="$ROOT/sdk/python/src" swiftclaw run my-agent -- python3 agent.py
fi

step "cat .swiftclaw/agents/my-agent/secrets/api-key.yaml   # metadata readable, value encrypted"
cat .swiftclaw/agents/my-agent/secrets/api-key.yaml
step "git log --format='%h %s' --stat=100 -- .swiftclaw"
git log --format='%h %s' --stat=100 -- .swiftclaw
printf '\nDone. The repository was in %s (removed on exit).\n' "$WORK"
