"""Connections that speak the swiftclaw SDK protocol (sdk/PROTOCOL.md, version 1).

Two kinds: the run channel, an inherited socket named by SWIFTCLAW_CHANNEL_FD that
``swiftclaw run`` serves for one agent; and a long-lived ``swiftclaw serve --stdio`` child.
Both are shared per process and used one request at a time under a lock.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import threading
from typing import Any, Dict, Optional, Tuple

from ._errors import SwiftclawError, from_wire

PROTOCOL_VERSION = 1
CHANNEL_ENV = "SWIFTCLAW_CHANNEL_FD"
BIN_ENV = "SWIFTCLAW_BIN"


class Connection:
    """One protocol connection over a pair of binary file objects."""

    def __init__(self, rfile, wfile, describe: str, closer=None):
        self._r, self._w = rfile, wfile
        self._describe = describe
        self._closer = closer
        self._lock = threading.Lock()
        self._next = 0
        self.broken: Optional[SwiftclawError] = None
        line = rfile.readline()
        if not line:
            raise SwiftclawError(f"{describe} ended before its handshake")
        try:
            hello = json.loads(line)
        except ValueError:
            hello = None
        if not isinstance(hello, dict) or "protocol" not in hello:
            raise SwiftclawError(f"{describe} did not send a swiftclaw handshake")
        if hello["protocol"] != PROTOCOL_VERSION:
            raise SwiftclawError(
                f"{describe} speaks swiftclaw protocol {hello['protocol']}, this SDK {PROTOCOL_VERSION}",
                "use matching versions of the swiftclaw Python package and the swiftclaw binary",
            )
        self.hello: Dict[str, Any] = hello

    def call(self, op: str, **fields: Any) -> Dict[str, Any]:
        """Sends one request and returns the response; a failure raises its typed exception."""
        with self._lock:
            if self.broken is not None:
                raise self.broken
            self._next += 1
            rid = self._next
            req = {"id": rid, "op": op}
            req.update({k: v for k, v in fields.items() if v is not None})
            try:
                self._w.write(json.dumps(req, separators=(",", ":")).encode() + b"\n")
                self._w.flush()
                line = self._r.readline()
            except OSError as e:
                line = b""
                cause = f": {e.strerror or e}"
            else:
                cause = ""
            if not line:
                self.broken = SwiftclawError(f"{self._describe} closed the connection{cause}")
                raise self.broken
            try:
                res = json.loads(line)
            except ValueError:
                res = None
            if not isinstance(res, dict) or res.get("id") != rid:
                self.broken = SwiftclawError(f"{self._describe} sent a malformed response")
                raise self.broken
        if not res.get("ok"):
            raise from_wire(res.get("error"))
        return res

    def close(self) -> None:
        with self._lock:
            if self.broken is None:
                self.broken = SwiftclawError(f"{self._describe} was closed")
            if self._closer is not None:
                self._closer()
                self._closer = None


_lock = threading.Lock()
_channel: Optional[Tuple[int, str, Connection]] = None  # (pid, fd, connection)
_servers: Dict[Tuple[int, str, Optional[str], Optional[str]], Tuple[Connection, subprocess.Popen]] = {}


def channel_fd() -> Optional[str]:
    """The run channel's descriptor named in the environment, or None."""
    return os.environ.get(CHANNEL_ENV) or None


def connect(repo: Optional[str], identity: Optional[str]) -> Connection:
    """The process's connection: the run channel when there is one, else a serve child for
    (repo, identity), started on first use and kept."""
    fd = channel_fd()
    if fd is not None:
        return _connect_channel(fd)
    return _connect_serve(repo, identity)


def _connect_channel(fd: str) -> Connection:
    global _channel
    with _lock:
        if _channel is not None and _channel[1] == fd:
            if _channel[0] != os.getpid():
                raise SwiftclawError(
                    "the run channel belongs to the process `swiftclaw run` started, not to a forked child",
                    "read the secrets you need before forking, and pass them to the workers",
                )
            return _channel[2]
        try:
            n = int(fd)
        except ValueError:
            n = -1
        if n < 3:
            raise SwiftclawError(f"{CHANNEL_ENV}={fd!r} is not a file descriptor")
        try:
            sock = socket.socket(fileno=n)
        except OSError as e:
            raise SwiftclawError(
                f"{CHANNEL_ENV}={fd} is not an open socket: {e.strerror or e}",
                f"the channel belongs to the process `swiftclaw run` started; unset {CHANNEL_ENV} in its children",
            ) from None
        os.set_inheritable(n, False)  # no grandchild gets it by accident
        conn = Connection(sock.makefile("rb"), sock.makefile("wb"), "the swiftclaw run channel", sock.close)
        _channel = (os.getpid(), fd, conn)
        return conn


def find_binary() -> str:
    """The swiftclaw binary: $SWIFTCLAW_BIN, else swiftclaw on PATH."""
    path = os.environ.get(BIN_ENV) or shutil.which("swiftclaw")
    if not path:
        raise SwiftclawError(
            "cannot find the swiftclaw binary",
            f"install it (`go install github.com/swiftclaw/swiftclaw/cmd/swiftclaw@latest`) or set {BIN_ENV}",
        )
    return path


def _connect_serve(repo: Optional[str], identity: Optional[str]) -> Connection:
    key = (os.getpid(), os.environ.get(BIN_ENV, ""), repo, identity)
    with _lock:
        found = _servers.get(key)
        if found is not None:
            if found[0].broken is None:
                return found[0]
            found[0].close()  # it died: reap it and start another
        argv = [find_binary()]
        if repo is not None:
            argv += ["-C", repo]
        if identity is not None:
            argv += ["--identity", identity]  # a path; key material never goes on argv
        argv += ["serve", "--stdio"]
        env = {k: v for k, v in os.environ.items() if k != CHANNEL_ENV}
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True)
        except OSError as e:
            raise SwiftclawError(f"cannot start {argv[0]}: {e.strerror or e}", f"check the swiftclaw binary, or set {BIN_ENV}") from None

        def stop() -> None:
            for f in (proc.stdin, proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

        try:
            conn = Connection(proc.stdout, proc.stdin, "swiftclaw serve", stop)
        except SwiftclawError:
            stop()
            raise
        _servers[key] = (conn, proc)
        return conn


@atexit.register
def close_all() -> None:
    """Stops every serve child this process started (they also stop when it exits)."""
    with _lock:
        servers = [v for k, v in _servers.items() if k[0] == os.getpid()]
        _servers.clear()
    for conn, _ in servers:
        conn.close()
