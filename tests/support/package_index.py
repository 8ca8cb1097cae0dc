"""A real package index on 127.0.0.1: pypiserver behind nginx, which writes the access log.

pypiserver logs requests through Python's logging, not in the combined
format, so nginx (Debian's package) proxies it and writes a real combined
``access.log``, as most deployments do. The wheels and sdists are real: the
sdists carry an in-tree PEP 517 backend, so pip and uv build them offline.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

BACKEND = '''\
"""A minimal in-tree PEP 517 backend: enough for pip and uv to build offline."""
import base64, hashlib, os, zipfile

NAME, VERSION = open("NAMEVER").read().split()
DIST = NAME.replace("-", "_")


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = f"{DIST}-{VERSION}-py3-none-any.whl"
    files = {
        f"{DIST}/__init__.py": b"",
        f"{DIST}-{VERSION}.dist-info/METADATA":
            f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n".encode(),
        f"{DIST}-{VERSION}.dist-info/WHEEL":
            b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = f"{DIST}-{VERSION}.dist-info/RECORD"
    lines = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            lines.append(f"{path},sha256={digest.decode()},{len(data)}")
        lines.append(f"{record},,")
        zf.writestr(record, "\\n".join(lines) + "\\n")
    return name
'''


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(directory: Path, name: str, version: str) -> Path:
    """A real, installable pure-Python wheel."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{dist}/__init__.py": f"__version__ = {version!r}\n".encode(),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: toppypi-tests\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    path = directory / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for p, data in files.items():
            zf.writestr(p, data)
        record = [_record_line(p, d) for p, d in files.items()] + [f"{info}/RECORD,,"]
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def build_sdist(directory: Path, name: str, version: str) -> Path:
    """A real sdist whose in-tree backend builds its wheel without any download."""
    dist = name.replace("-", "_")
    root = f"{dist}-{version}"
    files = {
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
        'backend-path = ["."]\n',
        "backend.py": BACKEND,
        "NAMEVER": f"{name} {version}\n",
    }
    path = directory / f"{root}.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for p, text in files.items():
            data = text.encode()
            ti = tarfile.TarInfo(f"{root}/{p}")
            ti.size = len(data)
            ti.mtime = 1_700_000_000
            tf.addfile(ti, io.BytesIO(data))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {timeout}s")


@contextmanager
def _process(cmd: list[str], log: Path, url: str, what: str) -> Iterator[None]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for(url, proc, what)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
error_log {root}/error.log;
pid {root}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log {root}/access.log combined;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
        }}
    }}
}}
"""


@dataclass(frozen=True)
class Index:
    url: str  # the simple index, through nginx
    access_log: Path


@contextmanager
def package_index(packages: Path, root: Path) -> Iterator[Index]:
    """pypiserver serving ``packages``, behind nginx logging to ``root/access.log``."""
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    upstream = free_port()
    server = [
        sys.executable, "-m", "pypiserver", "run", "-p", str(upstream), "-i", "127.0.0.1",
        "--disable-fallback", "--server", "wsgiref", str(packages),
    ]  # fmt: skip
    with _process(server, root / "pypiserver.log", f"http://127.0.0.1:{upstream}/", "pypiserver"):
        port = free_port()
        conf = root / "nginx.conf"
        conf.write_text(NGINX_CONF.format(root=root, port=port, upstream=upstream))
        nginx = [NGINX, "-p", str(root), "-c", str(conf)]
        with _process(nginx, root / "nginx.out", f"http://127.0.0.1:{port}/", "nginx"):
            yield Index(f"http://127.0.0.1:{port}/simple/", root / "access.log")
