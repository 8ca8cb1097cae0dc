"""A local preview server for a built site: 127.0.0.1 only, and only the site's own files.

The site is built into the dataset folder, next to ``.git/`` (whose config can
hold a token), ``toppypi.toml``, ``.toppypi/`` and the store. So the server
answers from an allowlist (the pages, ``assets/``, ``data/``, ``month/``,
``badges/``, the dumps and ``archive/``'s published files), never a dotfile,
never a folder listing, and only to a Host header naming this machine, which
stops DNS-rebinding pages from reading it. A malformed request gets a short
4xx and one log line, never a traceback.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sys
import threading
from collections.abc import Iterator, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from toppypi.errors import UsageError

HOST = "127.0.0.1"
HOST_NAMES = ("127.0.0.1", "localhost", "[::1]")
MAX_PATH = 1024  # characters of the request path; the site's own are under 100
# Top-level files a site shows or links to: its pages and the latest dumps.
ROOT_FILES = re.compile(
    r"(?:index|archive|movers|project)\.html"
    r"|top-pypi-packages[a-z0-9-]*\.(?:json|min\.json|csv|parquet|csv\.gz)"
    r"|datapackage\.json"
)
FOLDERS = ("assets", "data", "month", "badges", "archive")
# Every segment: a letter or digit first (no dotfiles, no "..") and a plain name after.
SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,254}")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".gz": "application/gzip",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class Refused(Exception):
    def __init__(self, status: HTTPStatus, why: str) -> None:
        super().__init__(why)
        self.status = status


def site_path(root: Path, raw: str) -> Path:
    """The file a request path names, or :class:`Refused` with the status to answer.

    Only the allowlist is served; symlinks that lead out of ``root`` are not.
    """
    if len(raw) > MAX_PATH:
        raise Refused(HTTPStatus.REQUEST_URI_TOO_LONG, "path too long")
    path = raw.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or any(not 0x21 <= ord(c) <= 0x7E for c in path):
        raise Refused(HTTPStatus.BAD_REQUEST, "malformed path")
    try:
        text = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise Refused(HTTPStatus.BAD_REQUEST, "path is not UTF-8") from None
    if _CONTROL.search(text) or "\\" in text:
        raise Refused(HTTPStatus.BAD_REQUEST, "control character in path")
    parts = text[1:].split("/")
    if parts[-1] == "":  # a folder: its index.html, never a listing
        parts[-1] = "index.html"
    if not _allowed(parts):
        raise Refused(HTTPStatus.NOT_FOUND, "not a site file")
    try:
        top = root.resolve(strict=True)
        real = root.joinpath(*parts).resolve(strict=True)
        # A symlink may lead anywhere: where it ends up must be a site file too.
        inside = real.is_relative_to(top) and _allowed(real.relative_to(top).parts)
        inside = inside and real.is_file()
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise Refused(HTTPStatus.NOT_FOUND, "no such file")
    return real


def _allowed(parts: Sequence[str]) -> bool:
    if not parts or not all(SEGMENT.fullmatch(p) for p in parts):
        return False
    where = ROOT_FILES.fullmatch(parts[0]) if len(parts) == 1 else parts[0] in FOLDERS
    return bool(where) and Path(parts[-1]).suffix in TYPES


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the site's files; keep-alive, as any static host does."""

    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # even an unparsable request gets a status line
    server_version = "toppypi-site"
    sys_version = ""
    root: Path
    quiet = False

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _host_ok(self) -> bool:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            self.send_error(HTTPStatus.BAD_REQUEST, "exactly one Host header, please")
            return False
        port = self.server.server_port  # type: ignore[attr-defined]
        if hosts[0].strip().lower() not in {f"{h}:{port}" for h in HOST_NAMES}:
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "this server answers 127.0.0.1 only")
            return False
        return True

    def _serve(self, *, body: bool) -> None:
        try:
            self._answer(body=body)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client hung up
        except Exception as exc:  # a bug: one line in the log, a 500, no traceback
            self.log_error("error: %r", exc)
            with contextlib.suppress(OSError):
                self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)

    def _answer(self, *, body: bool) -> None:
        if not self._host_ok():
            return
        try:
            path = site_path(self.root, self.path)
        except Refused as exc:
            if exc.status == HTTPStatus.NOT_FOUND and self._redirect_folder():
                return
            self.send_error(exc.status, str(exc))
            return
        try:
            fh = path.open("rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "no such file")
            return
        with fh:
            size = path.stat().st_size
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", TYPES[path.suffix])
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if body:
                shutil.copyfileobj(fh, self.wfile)

    def _redirect_folder(self) -> bool:
        """``/month/2026-03`` to ``/month/2026-03/``, when that folder has a page."""
        path = self.path.split("?", 1)[0]
        try:
            site_path(self.root, path + "/")
        except Refused:
            return False
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", path + "/")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return True

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:  # one line each, control characters escaped (a path may hold any)
            line = format % args
            sys.stderr.write(f"{self.address_string()} {_CONTROL.sub(_escape, line)}\n")


def _escape(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is no error; anything else, one line."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            sys.stderr.write(f"toppypi: error: serving {client_address[0]}: {exc!r}\n")


def make_server(root: Path, port: int = 0, *, quiet: bool = True) -> Server:
    """A server for the site in ``root`` on 127.0.0.1; port 0 picks a free one."""
    handler = type("SiteHandler", (Handler,), {"root": root.resolve(), "quiet": quiet})
    try:
        return Server((HOST, port), handler)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {HOST}:{port}: {exc.strerror or exc}; pick another with --port"
        ) from None


@contextlib.contextmanager
def serving(root: Path, port: int = 0) -> Iterator[str]:
    """Serve ``root`` from a background thread; yields the base URL (tests, bench, docs)."""
    server = make_server(root, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, quiet: no update checks, sync or other calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Any) -> Any:
    """Playwright's browser downloads do not work here: always the system Chromium."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
