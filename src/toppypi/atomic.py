"""Writes that either happen whole or not at all.

A crash mid-write must never leave a half file where a consumer reads, so
everything goes to a temporary sibling and is renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from toppypi.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publishable(tmp: str) -> None:
    """mkstemp makes 0600 files; published files are world-readable like any other."""
    os.chmod(tmp, (stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH) & ~_umask())


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[bytes]]:
    """Open a temporary sibling of ``path``; rename it over ``path`` on success."""
    with temp_path_for(path) as tmp, open(tmp, mode) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write(path: str | os.PathLike[str], data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly that; True if written."""
    target = Path(path)
    if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
        return False
    with atomic_open(target) as fh:
        fh.write(data)
    return True


def _refuse_read_only(target: Path) -> None:
    """A file without write permission is one not to change: a rename would replace it
    anyway (and root ignores permissions), so say so instead."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return
    if read_only(mode):
        raise read_only_error(target)


def read_only(mode: int) -> bool:
    """A regular file nobody may write: one toppypi never replaces."""
    return stat.S_ISREG(mode) and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def read_only_error(target: Path) -> InputError:
    return InputError(
        f"{target} is read-only and toppypi never replaces a read-only file; "
        "write somewhere else, or make it writable first"
    )


@contextlib.contextmanager
def temp_path_for(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary sibling path for writers that want a file name (Parquet, DuckDB)."""
    target = Path(path)
    _refuse_read_only(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"cannot write {target}: a folder on its path is a file") from None
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        yield Path(tmp)
        _publishable(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
