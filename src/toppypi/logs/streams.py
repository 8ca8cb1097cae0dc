"""Log streams: which lines of a file were already ingested, whatever its name.

A web server appends to ``access.log`` and, at rotation, renames it to
``access.log.1`` and later compresses it to ``access.log.2.gz``: the same
stream of lines under three names. A stream is known by its first line, and
each ingest leaves a checkpoint: how many bytes (and lines) of the stream it
took, and a hash of the 64 KiB before that point. A file whose first line and
checkpoint window match continues the stream from there; one that ends at or
before the checkpoint holds nothing new. Identical lines may legitimately
repeat in a log, so lines are never deduplicated by content.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar, cast

T = TypeVar("T")

WINDOW = 65536  # bytes hashed before a checkpoint
HEAD_MAX = 65536  # a first line longer than this is cut here for the stream's name
CHUNK = 128 << 20  # bytes handed to the parser at a time (cut at a line end)
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Checkpoint:
    """``offset`` bytes (``lines`` lines) of ``stream`` were ingested; ``tail``
    is the sha256 of the window before ``offset``."""

    stream: str
    offset: int
    lines: int
    tail: str


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def _gzip_open(path: Path) -> IO[bytes]:
    """``gzip.open`` with zlib-ng's inflate (about twice zlib's speed) when installed."""
    try:
        from zlib_ng import gzip_ng
    except ImportError:  # pragma: no cover - zlib-ng is a dependency; stay correct without it
        return cast("IO[bytes]", gzip.open(path, "rb"))
    return cast("IO[bytes]", gzip_ng.open(path, "rb"))  # type: ignore[no-untyped-call]


def _read_errors() -> tuple[type[Exception], ...]:
    """What reading a log may raise: I/O, a cut gzip stream, a corrupt one."""
    try:
        from zlib_ng import zlib_ng
    except ImportError:  # pragma: no cover
        return (OSError, EOFError, zlib.error)
    inflate = cast("type[Exception]", zlib_ng.error)  # a class, whatever its stub says
    return (OSError, EOFError, zlib.error, inflate)


READ_ERRORS = _read_errors()


class LogFile:
    """A log's decompressed bytes, read forward; plain files can also seek."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.gzipped = is_gzip(path)
        # Closed by close(); a gzip file reads like a binary file.
        opened = _gzip_open(path) if self.gzipped else path.open("rb")
        self._fh: IO[bytes] = opened
        # A live log grows while it is read: take the lines present now.
        self.size: int | None = None if self.gzipped else os.fstat(self._fh.fileno()).st_size
        self.pos = 0

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> LogFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, n: int) -> bytes:
        if self.size is not None:
            n = min(n, self.size - self.pos)
            if n <= 0:
                return b""
        try:
            data = self._fh.read(n)
        except READ_ERRORS as exc:
            raise LogReadError(f"{self.path}: cannot read: {exc}") from None
        self.pos += len(data)
        return data

    def skip_to(self, offset: int) -> None:
        if offset < self.pos:
            raise ValueError("LogFile reads forward only")
        if not self.gzipped:
            self._fh.seek(offset)
            self.pos = offset
            return
        while self.pos < offset:
            if not self.read(min(CHUNK, offset - self.pos)):
                break

    def window(self, offset: int) -> bytes | None:
        """The window before ``offset`` (None if the file is shorter); reads up to ``offset``."""
        start = max(0, offset - WINDOW)
        self.skip_to(start)
        data = self.read(offset - start)
        return data if len(data) == offset - start else None

    def window_hash(self, offset: int) -> str | None:
        data = self.window(offset)
        return None if data is None else hashlib.sha256(data).hexdigest()


class LogReadError(Exception):
    """A log that cannot be read or decompressed (the store turns it into an InputError)."""


def head_of(path: Path) -> bytes | None:
    """The stream's first line (with its newline), or None if none is complete yet."""
    with LogFile(path) as f:
        data = f.read(HEAD_MAX)
    nl = data.find(b"\n")
    if nl >= 0:
        return data[: nl + 1]
    return data if len(data) >= HEAD_MAX else None


def head_id(head: bytes) -> str:
    return hashlib.sha256(head).hexdigest()


@dataclass(frozen=True)
class Resume:
    """Where to start reading a file: a known stream's checkpoint, or a new stream."""

    stream: str
    offset: int
    lines: int
    nothing_new: bool = False  # the file ends at or before what was ingested


def plan_resume(path: Path, head: bytes, known: list[Checkpoint]) -> Resume:
    """Match a file against the checkpoints of the streams that share its first line."""
    hid = head_id(head)
    by_stream: dict[str, list[Checkpoint]] = {}
    for cp in known:
        by_stream.setdefault(cp.stream, []).append(cp)
    for stream, cps in sorted(by_stream.items()):
        cps.sort(key=lambda c: c.offset)
        last = cps[-1]
        with LogFile(path) as f:
            if f.window_hash(last.offset) == last.tail:
                return Resume(stream, last.offset, last.lines)
        # Shorter than the last checkpoint: an older copy of the stream?
        for cp in reversed(cps[:-1]):
            with LogFile(path) as f:
                if f.window_hash(cp.offset) == cp.tail:
                    return Resume(stream, cp.offset, cp.lines, nothing_new=_ends_by(path, last))
        if cps[0].offset > 0 and _ends_by(path, cps[0]):
            return Resume(stream, 0, 0, nothing_new=True)
    taken = set(by_stream)
    stream = hid if hid not in taken else f"{hid}-{len(taken) + 1}"
    return Resume(stream, 0, 0)


def _ends_by(path: Path, cp: Checkpoint) -> bool:
    """Whether the file ends at or before the checkpoint (its lines were all taken)."""
    with LogFile(path) as f:
        f.skip_to(cp.offset)
        return f.pos < cp.offset or not f.read(1)


@dataclass
class Chunk:
    data: bytes  # whole lines only
    first_line: int  # 1-based number of its first line in the file
    lines: int  # how many lines it holds


class Chunks:
    """Whole lines from a stream offset on, in pieces of about ``CHUNK`` bytes.

    A last line without its newline is still being written: it is left for
    the next ingest. After iterating, ``end``, ``lines`` and ``tail`` give the
    checkpoint for what was read.
    """

    def __init__(self, f: LogFile, offset: int, lines: int) -> None:
        self.f = f
        self.end = offset
        self.lines = lines
        self._window = f.window(offset) or b""

    @property
    def tail(self) -> str:
        return hashlib.sha256(self._window).hexdigest()

    def __iter__(self) -> Iterator[Chunk]:
        carry = b""
        while True:
            block = self.f.read(CHUNK)
            if not block:
                return
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                carry += block
                continue
            piece = carry + block[:cut] if carry else block[:cut]
            carry = block[cut:]
            chunk = Chunk(piece, self.lines + 1, count_newlines(piece))
            self.end += len(piece)
            self.lines += chunk.lines
            self._window = (self._window + piece[-WINDOW:])[-WINDOW:]
            yield chunk


def count_newlines(data: bytes | memoryview, *, odd: bool = False) -> int:
    """How many newlines ``data`` holds (numpy: several times ``bytes.count``, no GIL);
    with ``odd``, -1 if it holds a CR or a ``\\x01`` (lines to sanitize first)."""
    import numpy as np

    step = 16 << 20
    arr = np.frombuffer(data, np.uint8)
    total = 0
    for i in range(0, len(arr), step):
        part = arr[i : i + step]
        if odd and (np.count_nonzero(part == 13) or np.count_nonzero(part == 1)):
            return -1
        total += int(np.count_nonzero(part == 10))
    return total


def prefetch(items: Iterable[T]) -> Iterator[T]:
    """``items``, each next one produced on a thread while the caller works on the
    current one (reading and decompressing a log overlaps with parsing it)."""
    from concurrent.futures import ThreadPoolExecutor

    it = iter(items)
    done = object()
    with ThreadPoolExecutor(1, thread_name_prefix="toppypi-read") as pool:
        pending = pool.submit(next, it, done)
        while True:
            item = pending.result()
            if item is done:
                return
            pending = pool.submit(next, it, done)
            yield cast("T", item)
