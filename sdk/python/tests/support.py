"""Shared fixtures: the real swiftclaw binary, built once per test run, and real git
repositories made with it the way `make demo` makes its project."""

import atexit
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SRC = os.path.join(REPO_ROOT, "sdk", "python", "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

# The demo's values (scripts/demo.sh). Tests print and compare hashes, never these.
API_KEY = "sk-abc123-demo"
TEMP_TOKEN = "token123"
OPENAI_API_KEY = "sk-demo-openai-key"
DATABASE_URL = "postgresql://agent:pw@db.internal:5432/agent"
CERT = b"\x30\x82\x01\xb3\xff\xfe certificate bytes \x00\n"

_bin = None


def swiftclaw_bin():
    """Builds cmd/swiftclaw once into a temporary directory and returns its path."""
    global _bin
    if _bin is None:
        d = tempfile.mkdtemp(prefix="swiftclaw-sdk-test-bin-")
        atexit.register(shutil.rmtree, d, True)
        path = os.path.join(d, "swiftclaw")
        env = dict(os.environ, CGO_ENABLED="0")
        subprocess.run(["go", "build", "-o", path, "./cmd/swiftclaw"], cwd=REPO_ROOT, env=env, check=True)
        _bin = path
    return _bin


def proof(value):
    """What tests print instead of a value: its length and a hash prefix."""
    if value is None:
        return "missing"
    if isinstance(value, str):
        value = value.encode()
    return "len=%d sha256=%s" % (len(value), hashlib.sha256(value).hexdigest()[:16])


class Project:
    """A real git repository with my-agent set up as `make demo` does it: env vars
    OPENAI_API_KEY, DATABASE_URL, STRIPE_SECRET_KEY; secrets api-key (with a description),
    db-cert (binary, from a file) and temp-token (24 h TTL); other-agent with its own
    api-key. HOME, git identity and PATH are private to it."""

    def __init__(self, template=None):
        """A fresh project, or a copy of template (setting one up takes a second)."""
        self.dir = tempfile.mkdtemp(prefix="swiftclaw-sdk-test-")
        self._paths()
        if template is not None:
            shutil.copytree(template.dir, self.dir, dirs_exist_ok=True, symlinks=True)
            return
        os.makedirs(self.home)
        os.makedirs(self.root)
        subprocess.run(["git", "init", "-q", "-b", "main", self.root], env=self.env, check=True)
        self.sc("keys", "generate")
        self.sc("init")
        self.sc("env", "set", "my-agent", "OPENAI_API_KEY=" + OPENAI_API_KEY,
                "DATABASE_URL=" + DATABASE_URL, "STRIPE_SECRET_KEY=sk_test_demo_stripe")
        self.sc("secrets", "set", "my-agent", "api-key", "--value-stdin", "--description", "OpenAI API Key", input=API_KEY)
        cert = os.path.join(self.dir, "database.crt")
        with open(cert, "wb") as f:
            f.write(CERT)
        self.sc("secrets", "set", "my-agent", "db-cert", "--file", cert)
        self.sc("secrets", "set", "my-agent", "temp-token", "--value-stdin", "--ttl", "24h", input=TEMP_TOKEN)
        self.sc("secrets", "set", "other-agent", "api-key", "--value-stdin", input="sk-other-agent-value")

    def _paths(self):
        self.home = os.path.join(self.dir, "home")
        self.root = os.path.join(self.dir, "agent-project")
        binary = swiftclaw_bin()
        self.env = {
            "PATH": os.path.dirname(binary) + os.pathsep + os.environ.get("PATH", ""),
            "HOME": self.home,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.path.join(self.home, ".gitconfig"),
            "GIT_AUTHOR_NAME": "Demo User", "GIT_AUTHOR_EMAIL": "demo@example.com",
            "GIT_COMMITTER_NAME": "Demo User", "GIT_COMMITTER_EMAIL": "demo@example.com",
            "TZ": "UTC", "LANG": "C.UTF-8",
            "SWIFTCLAW_BIN": binary,
            "PYTHONPATH": SRC,
        }
        self.identity = os.path.join(self.home, ".config", "swiftclaw", "identity.txt")

    def sc(self, *args, input=None, env=None, check=True):
        """Runs the swiftclaw binary in the project; values go on stdin, never argv."""
        e = dict(self.env, **(env or {}))
        res = subprocess.run([swiftclaw_bin()] + list(args), cwd=self.root, env=e, capture_output=True,
                             input=input.encode() if isinstance(input, str) else input)
        if check and res.returncode != 0:
            raise AssertionError("swiftclaw %s: exit %d\n%s" % (args[:2], res.returncode, res.stderr.decode()))
        return res

    def cli_error(self, *args, env=None):
        """The CLI's (message, hint) for a failing command."""
        res = self.sc(*args, env=env, check=False)
        assert res.returncode != 0, "expected %s to fail" % (args,)
        lines = res.stderr.decode().splitlines()
        msg = [line[len("swiftclaw: "):] for line in lines if line.startswith("swiftclaw: ")]
        hint = [line[len("hint: "):] for line in lines if line.startswith("hint: ")]
        return (msg[0] if msg else None), (hint[0] if hint else None)

    def key_only_in_environment(self):
        """Moves the identity out of every file: returns an environment whose
        SWIFTCLAW_AGE_KEY holds the key text, and deletes the identity file."""
        if os.path.exists(self.identity):
            with open(self.identity) as f:
                self._key = [line.strip() for line in f if line.startswith("AGE-SECRET-KEY-")][0]
            os.remove(self.identity)
        return dict(self.env, SWIFTCLAW_AGE_KEY=self._key)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


_template = None


def template():
    """The project every test copies, set up once per run."""
    global _template
    if _template is None:
        _template = Project()
        atexit.register(_template.cleanup)
    return _template


class ProjectTest(unittest.TestCase):
    """Each test gets its own copy of the template Project; os.environ is the project's for
    the test, so serve children the SDK starts see only it."""

    def setUp(self):
        import swiftclaw._transport as transport

        self.project = Project(template())
        self.addCleanup(self.project.cleanup)
        saved = dict(os.environ)

        def restore():
            transport.close_all()
            os.environ.clear()
            os.environ.update(saved)

        self.addCleanup(restore)
        os.environ.clear()
        os.environ.update(self.project.env)
        cwd = os.getcwd()
        os.chdir(self.project.root)
        self.addCleanup(os.chdir, cwd)
