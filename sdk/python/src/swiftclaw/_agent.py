"""Agent, its secrets and environment, and the decorator registries."""

from __future__ import annotations

import asyncio
import base64
import inspect
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from . import _transport
from ._errors import SecretNotFound, SwiftclawError

Value = Union[str, bytes]

# The clock the cache compares expiries with (tests replace it).
_now = time.time


def _parse_time(s: Optional[str]) -> Optional[datetime]:
    if not s:
        return None
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _decode(res: Dict[str, Any]) -> Value:
    value = res.get("value", "")
    if res.get("encoding") == "base64":
        return base64.b64decode(value)
    return value


@dataclass(frozen=True)
class SecretInfo:
    """A secret's metadata, as ``agent.secrets.list()`` returns it. Never a value."""

    name: str
    description: str
    created: datetime
    updated: datetime
    expires: Optional[datetime]
    expired: bool


class Agent:
    """An agent's handle on its secrets and environment variables.

    ``Agent(name, repo=None, identity=None)``: ``repo`` is a directory inside the project
    (default: the current directory) and ``identity`` the *path* of an age identity file
    (default: the CLI's lookup: SWIFTCLAW_AGE_KEY, SWIFTCLAW_AGE_KEY_FILE,
    ~/.config/swiftclaw/identity.txt, ...). Inside ``swiftclaw run`` both are ignored: the
    run channel serves the agent's secrets and the process needs no identity.

    Other keyword arguments (the product page passes ``model_api_key=...``) are kept in
    ``agent.config`` for the agent framework; swiftclaw does not use them and never shows
    them in ``repr``.
    """

    def __init__(self, name: str, repo: Optional[Union[str, "os.PathLike[str]"]] = None,
                 identity: Optional[Union[str, "os.PathLike[str]"]] = None, **config: Any):
        if not isinstance(name, str) or not name:
            raise ValueError("Agent needs the agent's name, e.g. Agent(name=\"my-agent\")")
        self.name = name
        self.repo = os.fspath(repo) if repo is not None else None
        self.identity = os.fspath(identity) if identity is not None else None
        if self.identity is not None and self.identity.lstrip().upper().startswith("AGE-"):
            # Never echo it: this is key material.
            raise ValueError("identity is the path of an identity file, not the key itself; "
                             "pass the key in SWIFTCLAW_AGE_KEY instead")
        self.config: Dict[str, Any] = dict(config)
        self.tools: Dict[str, Callable[..., Any]] = {}
        self.message_handlers: List[Callable[..., Any]] = []
        self.secrets = Secrets(self)
        self.env = Env(self)

    def __repr__(self) -> str:
        return f"Agent(name={self.name!r})"

    def tool(self, fn: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None):
        """Registers a tool under its function name (or ``name``): ``@agent.tool`` or
        ``@agent.tool(name="query")``. The function is returned unchanged."""

        def register(f: Callable[..., Any]) -> Callable[..., Any]:
            self.tools[name or f.__name__] = f
            return f

        return register(fn) if fn is not None else register

    def on_message(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Registers a message handler: ``@agent.on_message``. Returned unchanged."""
        self.message_handlers.append(fn)
        return fn

    async def handle_message(self, message: Any) -> List[Any]:
        """Calls every registered message handler with message, in order, awaiting the
        asynchronous ones, and returns their results."""
        results = []
        for h in self.message_handlers:
            r = h(message)
            if inspect.isawaitable(r):
                r = await r
            results.append(r)
        return results

    def _call(self, op: str, **fields: Any) -> Dict[str, Any]:
        conn = _transport.connect(self.repo, self.identity)
        return conn.call(op, agent=self.name, **fields)


class Secrets:
    """``agent.secrets``: reads the agent's secrets, caching each value in memory (in this
    process only) until the secret's expiry."""

    def __init__(self, agent: Agent):
        self._agent = agent
        self._lock = threading.Lock()
        self._cache: Dict[Tuple[str, Optional[str]], Tuple[Value, Optional[float]]] = {}

    def _cached(self, key: Tuple[str, Optional[str]]) -> Optional[Tuple[Value]]:
        with self._lock:
            hit = self._cache.get(key)
            if hit is None:
                return None
            value, expires = hit
            if expires is not None and _now() >= expires:
                del self._cache[key]
                return None
            return (value,)

    def get_sync(self, name: str, version: Optional[str] = None) -> Value:
        """Returns the secret's value: a str, or bytes when the value is not UTF-8.
        ``version="v2"`` asks for an earlier version. Raises SecretNotFound, SecretExpired,
        AccessDenied or SwiftclawError."""
        key = (name, version)
        hit = self._cached(key)
        if hit is not None:
            return hit[0]
        res = self._agent._call("get", name=name, version=version)
        value = _decode(res)
        expires = _parse_time(res.get("expires"))
        with self._lock:
            self._cache[key] = (value, expires.timestamp() if expires else None)
        return value

    async def get(self, name: str, version: Optional[str] = None) -> Value:
        """``await agent.secrets.get("api-key")``: get_sync without blocking the event loop
        (a cached value returns at once)."""
        hit = self._cached((name, version))
        if hit is not None:
            return hit[0]
        return await asyncio.to_thread(self.get_sync, name, version)

    def list(self) -> List[SecretInfo]:
        """Every secret of the agent, sorted by name: metadata only, nothing decrypted."""
        res = self._agent._call("list")
        return [
            SecretInfo(
                name=s["name"], description=s.get("description", ""),
                created=_parse_time(s["created"]), updated=_parse_time(s["updated"]),
                expires=_parse_time(s.get("expires")), expired=bool(s.get("expired")),
            )
            for s in res.get("secrets") or []
        ]

    def clear_cache(self) -> None:
        """Forgets every cached value (for example after a rotation)."""
        with self._lock:
            self._cache.clear()


class Env:
    """``agent.env``: the agent's environment variables as ``swiftclaw env set`` stored
    them (inside ``swiftclaw run`` they are also in ``os.environ``)."""

    def __init__(self, agent: Agent):
        self._agent = agent
        self._lock = threading.Lock()
        self._cache: Dict[str, Value] = {}

    def get(self, key: str, default: Any = None) -> Any:
        """The variable's value, or default when it is not found (like os.getenv). Other
        failures raise, like secrets.get."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        try:
            res = self._agent._call("env", name=key)
        except SecretNotFound:
            return default
        value = _decode(res)
        with self._lock:
            self._cache[key] = value
        return value


__all__ = ["Agent", "Secrets", "Env", "SecretInfo", "SwiftclawError"]
