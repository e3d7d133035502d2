"""The package builds offline with its standard-library backend, and the wheel holds the
package and a correct RECORD; `pip install --no-build-isolation` installs it where pip is."""

import base64
import hashlib
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

import support

PKG = os.path.join(support.REPO_ROOT, "sdk", "python")
sys.path.insert(0, os.path.join(PKG, "_build"))
import swiftclaw_build  # noqa: E402


class PackagingTest(unittest.TestCase):
    def test_wheel(self):
        with tempfile.TemporaryDirectory() as d:
            name = swiftclaw_build.build_wheel(d)
            self.assertEqual(name, "swiftclaw-0.1.0-py3-none-any.whl")
            with zipfile.ZipFile(os.path.join(d, name)) as z:
                names = set(z.namelist())
                for want in ("swiftclaw/__init__.py", "swiftclaw/_agent.py", "swiftclaw/_transport.py",
                             "swiftclaw/_errors.py", "swiftclaw/py.typed", "swiftclaw-0.1.0.dist-info/METADATA",
                             "swiftclaw-0.1.0.dist-info/RECORD"):
                    self.assertIn(want, names)
                record = z.read("swiftclaw-0.1.0.dist-info/RECORD").decode().splitlines()
                self.assertEqual(len(record), len(names))
                for line in record:
                    path, digest, size = line.rsplit(",", 2)
                    if path.endswith("RECORD"):
                        continue
                    data = z.read(path)
                    want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    self.assertEqual((digest, int(size)), (want, len(data)), path)
                meta = z.read("swiftclaw-0.1.0.dist-info/METADATA").decode()
                self.assertIn("Requires-Python: >=3.9", meta)
                self.assertNotIn("Requires-Dist", meta)
        import swiftclaw
        self.assertEqual(swiftclaw.__version__, "0.1.0")

    def test_sdist(self):
        with tempfile.TemporaryDirectory() as d:
            name = swiftclaw_build.build_sdist(d)
            with tarfile.open(os.path.join(d, name)) as t:
                names = t.getnames()
            self.assertIn("swiftclaw-0.1.0/pyproject.toml", names)
            self.assertIn("swiftclaw-0.1.0/_build/swiftclaw_build.py", names)
            self.assertIn("swiftclaw-0.1.0/src/swiftclaw/_agent.py", names)

    @unittest.skipIf(importlib.util.find_spec("pip") is None, "pip is not installed for this python3")
    def test_pip_install_offline(self):
        with tempfile.TemporaryDirectory() as d:
            res = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-index",
                                  "--no-deps", "--target", d, PKG], capture_output=True,
                                 env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_ROOT_USER_ACTION="ignore"))
            self.assertEqual(res.returncode, 0, res.stderr.decode())
            out = subprocess.run([sys.executable, "-c", "import swiftclaw; print(swiftclaw.__file__)"],
                                 env=dict(os.environ, PYTHONPATH=d), capture_output=True, cwd=d)
            self.assertEqual(out.stdout.decode().strip(), os.path.join(d, "swiftclaw", "__init__.py"))


if __name__ == "__main__":
    unittest.main()
