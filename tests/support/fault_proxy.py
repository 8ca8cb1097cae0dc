"""A small loopback HTTP proxy that injects faults between the client and a server.

Each new client connection takes the next mode from a script (then the
default mode): ``pass`` pipes bytes both ways, ``500`` answers an HTTP 500,
``reset`` closes with a TCP reset, ``delay`` waits before passing, and
``truncate`` forwards the request but returns only the first half of the
reply's body, ending it with a clean close (no framing tells it is short);
``cut`` does the same inside chunked framing, so the client sees the cut. Only 127.0.0.1; at most
``MAX_CONNECTIONS`` connections at a time.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import deque

MAX_CONNECTIONS = 32


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


class FaultProxy:
    def __init__(self, upstream_port: int, default: str = "pass") -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.default = default
        self.script: deque[str] = deque()
        self.delay = 3.0
        self.connections = 0
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def source(self, **params: object) -> str:
        extra = "".join(f"&{k}={v}" for k, v in params.items())
        return f"clickhouse+http://127.0.0.1:{self.port}/?user=default{extra}"

    def plan(self, *modes: str, default: str | None = None) -> None:
        with self._lock:
            self.script = deque(modes)
            self.connections = 0
            if default is not None:
                self.default = default

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                mode = self.script.popleft() if self.script else self.default
                self.connections += 1
            if not self._slots.acquire(timeout=5):
                conn.close()
                continue
            threading.Thread(target=self._serve, args=(conn, mode), daemon=True).start()

    def _serve(self, conn: socket.socket, mode: str) -> None:
        try:
            conn.settimeout(30)
            if mode == "500":
                _read_request(conn)
                body = b"Code: 999, e.displayText() = injected failure\n"
                conn.sendall(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\nConnection: close\r\n\r\n"
                    + body
                )
            elif mode == "reset":
                _read_request(conn)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif mode in ("truncate", "cut"):
                self._truncate(conn, keep_framing=mode == "cut")
            else:
                if mode == "delay":
                    time.sleep(self.delay)
                self._pipe(conn)
        except OSError:
            pass
        finally:
            conn.close()
            self._slots.release()

    def _truncate(self, conn: socket.socket, *, keep_framing: bool) -> None:
        """Half the reply; ``keep_framing`` leaves it chunked, so the cut is visible."""
        request = _read_request(conn)
        request = request.replace(b"keep-alive", b"close")
        with socket.create_connection(self.upstream, timeout=30) as up:
            up.sendall(request)
            reply = b""
            while chunk := up.recv(65536):
                reply += chunk
        head, _, body = reply.partition(b"\r\n\r\n")
        if keep_framing:
            conn.sendall(head + b"\r\n\r\n" + body[: len(body) // 2])
            return
        lines = [
            ln
            for ln in head.split(b"\r\n")
            if not ln.lower().startswith((b"transfer-encoding", b"content-length", b"connection"))
        ]
        if b"chunked" in head.lower():
            body = _dechunk(body)
        conn.sendall(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n")
        conn.sendall(body[: len(body) // 2])

    def _pipe(self, conn: socket.socket) -> None:
        with socket.create_connection(self.upstream, timeout=30) as up:

            def copy(src: socket.socket, dst: socket.socket) -> None:
                try:
                    while chunk := src.recv(65536):
                        dst.sendall(chunk)
                except OSError:
                    pass

            t = threading.Thread(target=copy, args=(up, conn), daemon=True)
            t.start()
            copy(conn, up)
            with contextlib.suppress(OSError):
                up.shutdown(socket.SHUT_RDWR)
            t.join(timeout=30)
