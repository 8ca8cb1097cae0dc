"""`site serve` with real HTTP requests: only the site's files, only to this machine."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli
from tests.support.sitedata import small
from tests.support.sites import build
from toppypi.site.serve import Refused, make_server, serving, site_path

TOKEN = "ghp_s3cretTOKENvalue"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built site inside a dataset folder holding everything a dataset holds."""
    root = tmp_path_factory.mktemp("served")
    small(root)
    build(root)
    (root / ".git").mkdir()
    (root / ".git/config").write_text(f"[remote]\nurl = https://x:{TOKEN}@github.com/a/b\n")
    (root / "toppypi.toml").write_text(f'# remote token {TOKEN}\n[dataset]\ntitle = "Served"\n')
    (root / ".toppypi").mkdir()
    (root / ".toppypi/history.duckdb").write_bytes(b"DUCK")
    (root / "store.duckdb").write_bytes(b"DUCK")
    (root / ".env").write_text(TOKEN)
    (root / "archive/.2026-03.staging").mkdir()
    (root / "archive/.2026-03.staging/top-pypi-packages.json").write_text("{}")
    (root / "archive/2026-03/.top-pypi-packages.json.x.tmp").write_text("half")
    (root / "assets/leak.js").symlink_to(root / "toppypi.toml")
    (root / "data/leak.json").symlink_to(root / ".git/config")
    (root / "pyproject.toml").write_text("[project]\n")
    return root


@pytest.fixture(scope="module")
def port(dataset: Path) -> Iterator[int]:
    with serving(dataset) as url:
        yield int(url.rsplit(":", 1)[1].strip("/"))


def get(port: int, path: str, host: str | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", f"127.0.0.1:{port}" if host is None else host)
    conn.endheaders()
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/index.html",
        "/archive.html",
        "/project.html?p=a",
        "/assets/table.js",
        "/data/2026-03.json",
        "/data/snapshots.json",
        "/data/projects/00.json",
        "/month/2026-02/",
        "/month/2026-02/movers.html",
        "/badges/a.json",
        "/badges/a.svg",
        "/archive/2026-03/top-pypi-packages.csv",
        "/archive/2026-03/top-pypi-packages.parquet",
        "/top-pypi-packages.min.json",
        "/top-pypi-packages-30-days.json",
    ],
)
def test_serves_the_site(port: int, path: str) -> None:
    resp = get(port, path)
    assert resp.status == 200, path
    assert resp.getheader("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/.git/config",
        "/.git/",
        "/.git",
        "/toppypi.toml",
        "/pyproject.toml",
        "/store.duckdb",
        "/.env",
        "/.toppypi/history.duckdb",
        "/archive/.2026-03.staging/top-pypi-packages.json",
        "/archive/2026-03/.top-pypi-packages.json.x.tmp",
        "/assets/leak.js",  # a symlink out of the site
        "/data/leak.json",
        "/assets/../toppypi.toml",
        "/assets/%2e%2e/toppypi.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/archive/",  # no folder listings
        "/data/",
        "/month/",
        "/badges/",
        "/archive/2026-03/",
        "/nope.html",
    ],
)
def test_hides_everything_else(port: int, path: str) -> None:
    resp = get(port, path)
    assert resp.status in (400, 404), (path, resp.status)


def test_a_folder_redirects_to_its_page(port: int) -> None:
    resp = get(port, "/month/2026-03")
    assert resp.status == 301 and resp.getheader("Location") == "/month/2026-03/"
    assert get(port, "/archive/2026-03").status == 404  # a folder without a page stays hidden


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("evil.example", 421),
        ("evil.example:{port}", 421),
        ("127.0.0.1", 421),  # without the port
        ("127.0.0.1:1", 421),  # another port
        ("127.0.0.1.evil.example:{port}", 421),
        ("", 421),
        ("localhost:{port}", 200),
        ("LOCALHOST:{port}", 200),
        ("[::1]:{port}", 200),
        ("127.0.0.1:{port}", 200),
    ],
)
def test_answers_only_this_machine(port: int, host: str, status: int) -> None:
    """A DNS-rebinding page sends its own Host: it is refused."""
    resp = get(port, "/index.html", host=host.format(port=port))
    assert resp.status == status


def test_no_or_two_host_headers(port: int) -> None:
    assert raw(port, b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    two = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil\r\n\r\n".encode()
    assert raw(port, two).startswith(b"HTTP/1.1 400 ")


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        (b"GET /%00 HTTP/1.1", b"400"),
        (b"GET /index.html%00.js HTTP/1.1", b"400"),
        (b"GET /%ff%fe HTTP/1.1", b"400"),
        (b"GET /\xff\xfe HTTP/1.1", b"400"),
        (b"GET /a%5c..%5ctoppypi.toml HTTP/1.1", b"400"),
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1", b"414"),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1", b"414"),
        (b"GET http://evil/index.html HTTP/1.1", b"400"),
        (b"GET index.html HTTP/1.1", b"400"),
        (b"GET / HTTP/9.9", b"505"),
        (b"BREW /index.html HTTP/1.1", b"501"),
        (b"GET", b"400"),
    ],
)
def test_malformed_requests_get_a_clean_4xx(port: int, request_line: bytes, status: bytes) -> None:
    reply = raw(port, request_line + f"\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert reply.split(b" ", 2)[1] == status, reply[:200]
    assert b"Traceback" not in reply


def test_head_and_content_types(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("HEAD", "/badges/a.svg")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b""
    assert resp.getheader("Content-Type") == "image/svg+xml"
    assert int(resp.getheader("Content-Length") or 0) > 100
    conn.close()
    assert get(port, "/index.html").getheader("Content-Type") == "text/html; charset=utf-8"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_path_is_a_file_of_the_site_or_refused(path: str) -> None:
    """Whatever the path, the answer is a site file inside the root, or a clean refusal."""
    root = Path(__file__).resolve().parent.parent / "support"  # any folder: nothing is a site file
    try:
        found = site_path(root, "/" + path)
    except Refused as exc:
        assert 400 <= exc.status < 500
    else:
        assert found.is_relative_to(root)


def test_serve_command_logs_no_traceback(dataset: Path) -> None:
    """The real `site serve`: bad requests are answered and logged on one line each."""
    cmd = [sys.executable, "-m", "toppypi", "site", "serve", "--dataset", str(dataset)]
    serve = subprocess.Popen([*cmd, "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        assert serve.stderr is not None
        assert serve.stderr.readline().startswith("site: 2 month(s)")
        line = serve.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        p = int(found.group(1))
        assert get(p, "/index.html").status == 200
        for path in ("/%00", "/.git/config", "/%ff", "/" + "x" * 3000):
            assert 400 <= get(p, path).status < 500
        raw(p, b"GET /\x1b[31mred HTTP/1.1\r\n\r\n")
        raw(p, b"\x16\x03\x01garbage\r\n\r\n")  # a TLS hello to a plain-HTTP port
        with socket.create_connection(("127.0.0.1", p)) as s:
            s.sendall(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % p)
            # and hang up before reading the answer
        assert get(p, "/index.html").status == 200  # still serving
    finally:
        serve.terminate()
        _out, err = serve.communicate(timeout=10)
    assert "Traceback" not in err and TOKEN not in err
    assert "\x1b" not in err  # control characters in a path are escaped in the log
    assert '"GET /%00 HTTP/1.1" 400' in err


def test_serve_binds_localhost_only(tmp_path: Path) -> None:
    small(tmp_path)
    server = make_server(tmp_path)
    try:
        assert server.server_address[0] == "127.0.0.1"
        port = str(server.server_port)
        proc = run_cli("site", "serve", "--dataset", str(tmp_path), "--port", port)
        assert proc.returncode != 0
        assert proc.stderr.count("\n") == 2 and "pick another with --port" in proc.stderr
    finally:
        server.server_close()


def test_no_site_here_without_a_build(tmp_path: Path) -> None:
    proc = run_cli("site", "serve", "--dataset", str(tmp_path), "--no-build")
    assert proc.returncode == 2 and "run `toppypi site build" in proc.stderr
    assert os.listdir(tmp_path) == []
