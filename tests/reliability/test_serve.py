"""``site serve`` as an attacker on this machine or a rebinding web page would use it.

The real command runs in a subprocess on a free port, serving a published dataset
repo (its ``.git``, ``toppypi.toml`` and ``.toppypi/`` sit next to the site), and
each request is real HTTP. The server must serve the built site only, answer only
Host 127.0.0.1, localhost or [::1], list no folder, and survive odd paths.
"""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.harness import ERROR_PREFIX
from tests.reliability.world import base_env, copy_world, toppypi


@dataclass
class Server:
    proc: subprocess.Popen[str]
    port: int
    log: Path

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", host if host is not None else f"127.0.0.1:{self.port}")
            conn.putheader("Connection", "close")
            conn.endheaders()
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (ConnectionError, http.client.HTTPException) as exc:
            return 0, repr(exc).encode()  # the connection dropped: no answer
        finally:
            conn.close()

    def alive(self) -> bool:
        return self.proc.poll() is None and self.get("/")[0] == 200

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def server(world_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    world = copy_world(world_template, tmp_path_factory.mktemp("serve") / "w")
    (world / "pub" / ".toppypi").mkdir(exist_ok=True)
    (world / "pub" / ".toppypi" / "publish.lock").write_text("")
    log = world / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "toppypi", "site", "serve", "--dataset", "pub", "--port", "0"],
            cwd=world,
            env=base_env(world),
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
    port = 0
    deadline = time.monotonic() + 60
    while not port and time.monotonic() < deadline and proc.poll() is None:
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", log.read_text())
        port = int(m.group(1)) if m else 0
        time.sleep(0.05)
    assert port, log.read_text()
    yield Server(proc, port, log)
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _record(record: Any, id: str, ok: bool, served: bool, tb: bool, what: str) -> None:
    record(
        "bad-input",
        id=f"serve-{id}",
        command=f"GET {what}",
        code=0,
        passed=ok,
        traceback=tb,
        accepted=served,
        wrong_code=False,
        bad_message=False,
        message_mismatch=False,
        leaked=False,
        damaged=False,
        problems=(
            "ok"
            if ok
            else f"traceback: on the server's stderr for GET {what}"
            if tb
            else f"exit 0: accepted: served GET {what}"
            if served
            else f"GET {what}: neither 4xx nor a traceback"
        ),
        said="",
    )


def test_the_site_itself_is_served(server: Server) -> None:
    status, body = server.get("/")
    assert status == 200 and b"<html" in body.lower()
    assert server.get("/index.html", host=f"localhost:{server.port}")[0] == 200


FORBIDDEN = [
    pytest.param(
        "/.git/config",
        b"[core]",
        id="git-config",
    ),
    pytest.param(
        "/.git/HEAD",
        b"ref:",
        id="git-head",
    ),
    pytest.param(
        "/toppypi.toml",
        b"[dataset]",
        id="toppypi-toml",
    ),
    pytest.param(
        "/.toppypi/publish.lock",
        None,
        id="toppypi-lock",
    ),
    pytest.param(
        "/.toppypi/",
        None,
        id="toppypi-folder",
    ),
    pytest.param(
        "/archive/",
        None,
        id="archive-listing",
    ),
    pytest.param(
        "/month/",
        None,
        id="month-listing",
    ),
    pytest.param(
        "/data/",
        None,
        id="data-listing",
    ),
    pytest.param("/../../../etc/passwd", b"root:", id="dot-dot"),
    pytest.param("/%2e%2e/%2e%2e/remote.git/config", b"[core]", id="dot-dot-encoded"),
]


@pytest.mark.parametrize("path,marker", FORBIDDEN)
def test_only_the_site_is_served(
    server: Server, path: str, marker: bytes | None, record: Any
) -> None:
    status, body = server.get(path)
    leaked = status == 200 or (marker is not None and marker in body)
    listing = b"Directory listing" in body
    ok = not leaked and not listing and 400 <= status < 500
    _record(record, path.strip("/").replace("/", "-") or "root", ok, leaked or listing, False, path)
    assert ok, (status, body[:200])
    assert server.alive()


HOSTS = [
    pytest.param("evil.example", id="foreign"),
    pytest.param("evil.example:{port}", id="foreign-with-port"),
    pytest.param("127.0.0.1.evil.example:{port}", id="lookalike"),
    pytest.param("localhost.evil.example", id="lookalike-localhost"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("host", HOSTS)
def test_only_local_host_names_are_answered(server: Server, host: str, record: Any) -> None:
    status, _ = server.get("/index.html", host=host.format(port=server.port))
    ok = 400 <= status < 500
    _record(record, f"host-{host or 'empty'}", ok, status == 200, False, f"/ (Host: {host!r})")
    assert ok, status


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_local_host_names_are_answered(server: Server, host: str) -> None:
    assert server.get("/index.html", host=host.format(port=server.port))[0] == 200


ODD = [
    pytest.param("/%00", id="nul"),
    pytest.param("/index.html%00.png", id="nul-ext"),
    pytest.param("/%ff%fe", id="not-utf8"),
    pytest.param("/" + "a" * 5000, id="long"),
]


@pytest.mark.parametrize("path", ODD)
def test_odd_paths_are_refused_without_a_traceback(server: Server, path: str, record: Any) -> None:
    before = server.stderr().count("Traceback")
    status, _ = server.get(path)
    tb = server.stderr().count("Traceback") > before
    ok = 400 <= status < 500 and not tb
    _record(record, f"path-{path[:12]}", ok, status == 200, tb, path[:40])
    assert ok, (status, server.stderr()[-800:])
    assert server.alive()


def test_a_port_in_use_is_one_line(world_template: Path, tmp_path: Path) -> None:
    world = copy_world(world_template, tmp_path / "w")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = toppypi(world, "site", "serve", "--dataset", "ds", "--no-build", "--port", str(port))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(ERROR_PREFIX)
    assert "Traceback" not in proc.stderr and str(port) in proc.stderr
