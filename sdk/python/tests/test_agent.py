"""The SDK against `swiftclaw serve --stdio` (outside `swiftclaw run`): values, metadata,
typed errors carrying the CLI's message and hint, the cache and expiry, argv hygiene."""

import asyncio
import os
import time
import unittest
from datetime import datetime, timedelta, timezone
from unittest import mock

import support
from support import API_KEY, CERT, DATABASE_URL, TEMP_TOKEN

import swiftclaw
import swiftclaw._agent
import swiftclaw._transport as transport
from swiftclaw import AccessDenied, Agent, SecretExpired, SecretNotFound, SwiftclawError


def serve_children():
    return [proc for (pid, *_), (conn, proc) in transport._servers.items() if pid == os.getpid()]


class ServeTest(support.ProjectTest):
    def test_get_sync_and_async(self):
        agent = Agent("my-agent")
        self.assertEqual(agent.secrets.get_sync("api-key"), API_KEY)
        self.assertEqual(asyncio.run(agent.secrets.get("temp-token")), TEMP_TOKEN)
        self.assertEqual(agent.secrets.get_sync("db-cert"), CERT)  # not UTF-8: bytes
        self.assertIsInstance(agent.secrets.get_sync("db-cert"), bytes)
        self.assertEqual(agent.env.get("DATABASE_URL"), DATABASE_URL)
        self.assertIsNone(agent.env.get("NOT_SET"))
        self.assertEqual(agent.env.get("NOT_SET", "fallback"), "fallback")

    def test_one_long_lived_server(self):
        a, b = Agent("my-agent"), Agent("other-agent")
        for _ in range(5):
            a.secrets.clear_cache()
            self.assertEqual(a.secrets.get_sync("api-key"), API_KEY)
        self.assertEqual(b.secrets.get_sync("api-key"), "sk-other-agent-value")
        procs = serve_children()
        self.assertEqual(len(procs), 1, "agents with the same repo and identity share one serve child")
        proc = procs[0]
        self.assertIsNone(proc.poll())
        # Nothing secret on its command line: argv is readable by every user.
        with open("/proc/%d/cmdline" % proc.pid, "rb") as f:
            argv = f.read().split(b"\0")
        self.assertEqual(argv[-3:], [b"serve", b"--stdio", b""])
        for value in (API_KEY, TEMP_TOKEN, DATABASE_URL):
            self.assertNotIn(value.encode(), b" ".join(argv))
        transport.close_all()
        self.assertIsNotNone(proc.poll(), "close_all stops the serve child")

    def test_a_dead_server_is_replaced(self):
        agent = Agent("my-agent")
        agent.secrets.get_sync("api-key")
        first = serve_children()[0]
        first.kill()
        first.wait()
        agent.secrets.clear_cache()
        with self.assertRaises(SwiftclawError) as cm:
            agent.secrets.get_sync("api-key")
        self.assertIn("swiftclaw serve closed the connection", cm.exception.message)
        self.assertEqual(agent.secrets.get_sync("api-key"), API_KEY)
        self.assertNotEqual(serve_children()[0].pid, first.pid)

    def test_repo_and_identity_arguments(self):
        os.chdir(self.project.dir)  # outside the project: repo= finds it
        other = os.path.join(self.project.dir, "other-identity.txt")
        os.rename(self.project.identity, other)
        agent = Agent("my-agent", repo=self.project.root, identity=other)
        self.assertEqual(agent.secrets.get_sync("api-key"), API_KEY)
        with open("/proc/%d/cmdline" % serve_children()[0].pid, "rb") as f:
            argv = f.read().split(b"\0")
        self.assertIn(other.encode(), argv, "the identity is passed as a path")
        with self.assertRaises(ValueError) as cm:
            Agent("my-agent", identity="AGE-SECRET-KEY-1QQQQ")
        self.assertNotIn("QQQQ", str(cm.exception))

    def test_list(self):
        infos = Agent("my-agent").secrets.list()
        self.assertEqual([s.name for s in infos], ["api-key", "db-cert", "temp-token"])
        api, _, temp = infos
        self.assertEqual(api.description, "OpenAI API Key")
        self.assertIsNone(api.expires)
        self.assertFalse(temp.expired)
        self.assertAlmostEqual((temp.expires - temp.created).total_seconds(), 24 * 3600, delta=2)
        self.assertLess(abs(datetime.now(timezone.utc) - temp.created), timedelta(minutes=5))

    def test_typed_errors_carry_the_cli_message(self):
        agent = Agent("my-agent")
        cases = [
            (SecretNotFound, lambda: agent.secrets.get_sync("db-url"), ("secrets", "get", "my-agent", "db-url"), {}),
            (SecretNotFound, lambda: Agent("ghost").secrets.get_sync("api-key"), ("secrets", "get", "ghost", "api-key"), {}),
        ]
        later = (datetime.now(timezone.utc) + timedelta(hours=48)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cases.append((SecretExpired, None, ("secrets", "get", "my-agent", "temp-token"), {"SWIFTCLAW_FAKE_NOW": later}))
        for cls, call, cli, env in cases:
            with self.subTest(cli=cli):
                if env:
                    os.environ.update(env)
                    transport.close_all()  # a new serve child with this environment
                    call = lambda: Agent("my-agent").secrets.get_sync("temp-token")  # noqa: E731
                with self.assertRaises(cls) as cm:
                    call()
                e = cm.exception
                self.assertIsInstance(e, SwiftclawError)
                self.assertEqual((e.message, e.hint), self.project.cli_error(*cli, env=env))
                self.assertIn("hint: " + e.hint, str(e))
        self.assertTrue(issubclass(SecretNotFound, LookupError))

    def test_access_denied(self):
        stranger = os.path.join(self.project.dir, "stranger.txt")
        self.project.sc("keys", "generate", "--out", stranger)
        with self.assertRaises(AccessDenied) as cm:
            Agent("my-agent", identity=stranger).secrets.get_sync("api-key")
        self.assertEqual(cm.exception.kind, "access_denied")
        self.assertEqual((cm.exception.message, cm.exception.hint),
                         self.project.cli_error("--identity", stranger, "secrets", "get", "my-agent", "api-key"))
        self.assertIn("cannot decrypt", cm.exception.message)

    def test_no_value_in_any_error(self):
        agent = Agent("my-agent")
        errors = []
        for call in (lambda: agent.secrets.get_sync("nope"), lambda: agent.secrets.get_sync("api-key", version="v99"),
                     lambda: agent.secrets.get_sync("../x"), lambda: Agent("other").env.get("X", 1) and agent.secrets.get_sync("")):
            try:
                call()
            except SwiftclawError as e:
                errors.append(str(e))
        self.assertEqual(len(errors), 4)
        for text in errors:
            for value in (API_KEY, TEMP_TOKEN, DATABASE_URL, "sk-other-agent-value"):
                self.assertNotIn(value, text)

    def test_earlier_versions_come_from_git_history(self):
        agent = Agent("my-agent")
        self.assertEqual(agent.secrets.get_sync("api-key", version="v1"), API_KEY)
        with self.assertRaises(SwiftclawError) as cm:
            agent.secrets.get_sync("api-key", version="v99")
        self.assertNotIn(API_KEY, str(cm.exception))

    def test_cache_respects_expiry(self):
        agent = Agent("my-agent")
        self.assertEqual(agent.secrets.get_sync("temp-token"), TEMP_TOKEN)
        self.assertEqual(agent.secrets.get_sync("api-key"), API_KEY)
        self.project.sc("secrets", "set", "my-agent", "temp-token", "--value-stdin", input="token456")
        self.project.sc("secrets", "set", "my-agent", "api-key", "--value-stdin", input="sk-rotated")
        transport.close_all()  # a cache hit must not even need the server
        real = time.time
        with mock.patch.object(swiftclaw._agent, "_now", lambda: real() + 23 * 3600):
            self.assertEqual(agent.secrets.get_sync("temp-token"), TEMP_TOKEN, "cached until expiry")
            self.assertEqual(asyncio.run(agent.secrets.get("temp-token")), TEMP_TOKEN)
            self.assertEqual(serve_children(), [])
        with mock.patch.object(swiftclaw._agent, "_now", lambda: real() + 25 * 3600):
            self.assertEqual(agent.secrets.get_sync("temp-token"), "token456", "asked again after expiry")
            self.assertEqual(agent.secrets.get_sync("api-key"), API_KEY, "no expiry: stays cached")
        agent.secrets.clear_cache()
        self.assertEqual(agent.secrets.get_sync("api-key"), "sk-rotated")
        # A second Agent has its own cache.
        self.assertEqual(Agent("my-agent").secrets.get_sync("temp-token"), "token456")

    def test_missing_binary(self):
        os.environ["SWIFTCLAW_BIN"] = os.path.join(self.project.dir, "no-such-swiftclaw")
        with self.assertRaises(SwiftclawError) as cm:
            Agent("my-agent").secrets.get_sync("api-key")
        self.assertIn("cannot start", cm.exception.message)
        self.assertIn("SWIFTCLAW_BIN", cm.exception.hint)

    def test_outside_a_project(self):
        os.chdir(self.project.dir)
        with self.assertRaises(SecretNotFound) as cm:
            Agent("my-agent").secrets.get_sync("api-key")
        self.assertIn("no .swiftclaw directory", cm.exception.message)
        self.assertIn("swiftclaw init", cm.exception.hint)


class RegistryTest(unittest.TestCase):
    def test_decorators_register_and_return_the_function(self):
        agent = Agent(name="my-agent", model_api_key="sk-not-shown")
        self.assertEqual(repr(agent), "Agent(name='my-agent')")
        self.assertEqual(agent.config, {"model_api_key": "sk-not-shown"})

        @agent.tool
        async def lookup():
            return 1

        @agent.tool(name="renamed")
        def other():
            return 2

        @agent.on_message
        async def first(message):
            return "a:" + message

        @agent.on_message
        def second(message):
            return "b:" + message

        self.assertEqual(agent.tools, {"lookup": lookup, "renamed": other})
        self.assertEqual(asyncio.run(agent.handle_message("hi")), ["a:hi", "b:hi"])
        self.assertEqual(asyncio.run(lookup()), 1)
        with self.assertRaises(ValueError):
            Agent("")

    def test_public_names(self):
        for name in ("Agent", "SwiftclawError", "SecretNotFound", "SecretExpired", "AccessDenied", "SecretInfo"):
            self.assertTrue(hasattr(swiftclaw, name), name)


if __name__ == "__main__":
    unittest.main()
