"""swiftclaw: an agent's secrets from its git repository, for agent code.

    from swiftclaw import Agent

    agent = Agent(name="my-agent")
    api_key = await agent.secrets.get("api-key")

Inside ``swiftclaw run my-agent -- python agent.py`` values come through the run channel
and the process needs no key; elsewhere the SDK starts one ``swiftclaw serve --stdio``
(the binary from SWIFTCLAW_BIN or PATH) and keeps it. See sdk/PROTOCOL.md.
"""

from ._agent import Agent, Env, SecretInfo, Secrets
from ._errors import AccessDenied, SecretExpired, SecretNotFound, SwiftclawError

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "Secrets",
    "Env",
    "SecretInfo",
    "SwiftclawError",
    "SecretNotFound",
    "SecretExpired",
    "AccessDenied",
    "__version__",
]
