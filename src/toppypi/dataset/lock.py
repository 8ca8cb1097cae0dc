"""One lock per dataset: every run that writes in it takes turns.

``update`` (plain or ``--publish``), ``history import``, ``site build`` and
``demo`` hold it while they write; the operating system releases it when a
holder dies, so a killed run never blocks the next. The lock file lives in
the temporary directory, named after the dataset's resolved path, so that
taking it writes nothing into the dataset (a refused run changes no file).
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from toppypi.atomic import atomic_write
from toppypi.dataset.layout import Layout
from toppypi.errors import ToppypiError


class DatasetBusy(ToppypiError):
    """Another run is writing the same dataset."""

    exit_code = 7


def private_dir(root: Path) -> Path:
    """``.toppypi/``: derived files, never committed (it ignores itself)."""
    d = Layout(root).private
    atomic_write(d / ".gitignore", b"*\n")
    return d


def lock_path(root: Path) -> Path:
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / f"toppypi-{key}.lock"


@contextlib.contextmanager
def hold(root: Path, *, wait: float = 0.0) -> Iterator[None]:
    from filelock import FileLock, Timeout

    path = lock_path(root)
    lock = FileLock(str(path), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        waited = f"waited {wait:g} s; " if wait else ""
        raise DatasetBusy(
            f"another toppypi run is writing {root} (it holds {path}); "
            f"{waited}let it finish, or pass --wait SECONDS"
        ) from None
    try:
        yield
    finally:
        lock.release()
