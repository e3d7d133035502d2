"""Agent code started by `swiftclaw run` in the tests: it checks that no identity is
visible to it, then reads through the SDK and prints proofs (never values)."""

import asyncio
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import proof  # noqa: E402

from swiftclaw import AccessDenied, Agent, SecretNotFound  # noqa: E402


async def main():
    home_key = os.path.join(os.environ["HOME"], ".config", "swiftclaw", "identity.txt")
    print("SWIFTCLAW_AGE_KEY visible:", "SWIFTCLAW_AGE_KEY" in os.environ)
    print("identity file visible:", os.path.exists(home_key))
    print("channel fd:", os.environ.get("SWIFTCLAW_CHANNEL_FD"))
    # Without the channel this process could not decrypt anything.
    cli = subprocess.run(["swiftclaw", "secrets", "get", "my-agent", "api-key"], capture_output=True)
    print("swiftclaw secrets get in the child exits", cli.returncode)

    agent = Agent(name="my-agent")
    print("api-key", proof(await agent.secrets.get("api-key")))
    print("db-cert", proof(agent.secrets.get_sync("db-cert")))
    print("DATABASE_URL", proof(agent.env.get("DATABASE_URL")))
    print("list", " ".join(s.name for s in agent.secrets.list()))
    try:
        agent.secrets.get_sync("missing")
    except SecretNotFound as e:
        print("missing:", type(e).__name__, e.message)
    try:
        await Agent(name="other-agent").secrets.get("api-key")
    except AccessDenied as e:
        print("other-agent:", type(e).__name__, e.message)
    # The descriptor is not passed on to this process's own children.
    child = subprocess.run([sys.executable, "-c", "import os; os.fstat(%s)" % os.environ["SWIFTCLAW_CHANNEL_FD"]],
                           capture_output=True)
    print("grandchild sees the channel:", child.returncode == 0)


asyncio.run(main())
