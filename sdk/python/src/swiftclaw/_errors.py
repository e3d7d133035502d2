"""Typed exceptions: one per error kind of the protocol (sdk/PROTOCOL.md)."""

from __future__ import annotations

from typing import Optional


class SwiftclawError(Exception):
    """A failed swiftclaw read. ``message`` and ``hint`` are the CLI's own text; ``kind`` is
    the protocol's error kind (not_found, expired, access_denied, tampered, input,
    internal). Neither ever contains a secret value."""

    kind = "internal"

    def __init__(self, message: str, hint: Optional[str] = None, kind: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.hint = hint or None
        if kind is not None:
            self.kind = kind

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nhint: {self.hint}"
        return self.message


class SecretNotFound(SwiftclawError, LookupError):
    """The agent, secret or variable does not exist."""

    kind = "not_found"


class SecretExpired(SwiftclawError):
    """The secret is past its expiry."""

    kind = "expired"


class AccessDenied(SwiftclawError):
    """No identity at hand can decrypt the secret, or the run channel serves another agent."""

    kind = "access_denied"


_BY_KIND = {c.kind: c for c in (SecretNotFound, SecretExpired, AccessDenied)}


def from_wire(err: object) -> SwiftclawError:
    """Builds the exception for a protocol error object. Unknown kinds give the base class."""
    if not isinstance(err, dict):
        return SwiftclawError("swiftclaw sent a failure without an error")
    kind = str(err.get("kind") or "internal")
    cls = _BY_KIND.get(kind, SwiftclawError)
    return cls(str(err.get("message") or "unknown error"), err.get("hint"), kind=kind)
