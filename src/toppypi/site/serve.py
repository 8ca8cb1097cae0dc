"""A local preview server for a built site: 127.0.0.1 only, never another interface."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from toppypi.errors import UsageError

HOST = "127.0.0.1"


class Handler(SimpleHTTPRequestHandler):
    """Keep-alive, as any static host does, so a page's requests share one connection."""

    protocol_version = "HTTP/1.1"


class QuietHandler(Handler):
    """Serves files without logging every request (tests and benches make thousands)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_server(root: Path, port: int = 0, *, quiet: bool = True) -> ThreadingHTTPServer:
    """A server for ``root`` on 127.0.0.1; port 0 picks a free one (``server.server_port``)."""
    handler = QuietHandler if quiet else Handler
    try:
        return ThreadingHTTPServer((HOST, port), functools.partial(handler, directory=str(root)))
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
