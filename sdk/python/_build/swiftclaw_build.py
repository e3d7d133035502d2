"""A PEP 517 build backend using only the standard library, for the swiftclaw SDK.

It builds a pure-Python wheel (py3-none-any) of src/swiftclaw, an sdist, and an editable
wheel (a .pth file pointing at src). Metadata comes from pyproject.toml's [project] table.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
PACKAGE = "swiftclaw"
# Fixed timestamp so builds are reproducible (ZIP cannot store times before 1980).
EPOCH = (1980, 1, 1, 0, 0, 0)


def _project():
    """Reads the simple `key = "string"` entries of [project]."""
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    try:
        import tomllib  # Python 3.11+
    except ImportError:
        section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.S | re.M)
        project = {}
        for m in re.finditer(r'^([A-Za-z-]+)\s*=\s*"([^"]*)"\s*$', section.group(1) if section else "", re.M):
            project[m.group(1)] = m.group(2)
        return project
    return tomllib.loads(text)["project"]


def _metadata():
    p = _project()
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + p["name"],
        "Version: " + p["version"],
        "Summary: " + p.get("description", ""),
        "Requires-Python: " + p.get("requires-python", ">=3.9"),
    ]
    if p.get("license"):
        lines.append("License: " + p["license"])
    readme = os.path.join(ROOT, p.get("readme", "README.md"))
    body = ""
    if os.path.exists(readme):
        lines.append("Description-Content-Type: text/markdown")
        with open(readme, encoding="utf-8") as f:
            body = "\n" + f.read()
    return p["name"], p["version"], "\n".join(lines) + "\n" + body


def _dist_info(name, version):
    return "%s-%s.dist-info" % (name.replace("-", "_"), version)


def _package_files():
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(SRC, PACKAGE)):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for fn in sorted(filenames):
            if fn.endswith((".py", ".typed")):
                full = os.path.join(dirpath, fn)
                out.append((os.path.relpath(full, SRC).replace(os.sep, "/"), full))
    return out


def _write_wheel(wheel_directory, files):
    """files: list of (archive name, bytes). Adds WHEEL, METADATA and RECORD."""
    name, version, metadata = _metadata()
    dist = _dist_info(name, version)
    files = list(files) + [
        (dist + "/METADATA", metadata.encode("utf-8")),
        (dist + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: swiftclaw_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (dist + "/top_level.txt", (PACKAGE + "\n").encode()),
    ]
    record = []
    for arcname, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (arcname, digest, len(data)))
    record.append(dist + "/RECORD,,")
    files.append((dist + "/RECORD", ("\n".join(record) + "\n").encode()))
    wheel_name = "%s-%s-py3-none-any.whl" % (name.replace("-", "_"), version)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in files:
            info = zipfile.ZipInfo(arcname, EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return wheel_name


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(arc, _read(full)) for arc, full in _package_files()])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [("__editable__.swiftclaw.pth", (SRC + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    name, version, metadata = _metadata()
    base = "%s-%s" % (name, version)
    members = [("pyproject.toml", os.path.join(ROOT, "pyproject.toml")),
               ("README.md", os.path.join(ROOT, "README.md")),
               ("_build/swiftclaw_build.py", os.path.abspath(__file__))]
    members += [("src/" + arc, full) for arc, full in _package_files()]
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        def add(arcname, data):
            info = tarfile.TarInfo(base + "/" + arcname)
            info.size, info.mode, info.mtime = len(data), 0o644, 315532800
            tar.addfile(info, io.BytesIO(data))
        for arcname, full in members:
            if os.path.exists(full):
                add(arcname, _read(full))
        add("PKG-INFO", metadata.encode("utf-8"))
    return filename
