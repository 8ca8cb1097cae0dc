"""Writes into the archive: staged whole, then swapped in, so a reader never sees half.

A month folder is written into ``archive/.M.staging/`` and swapped with
``archive/M/`` by two renames; a kill between them leaves ``archive/.M.old``,
which the next run's sweep puts back. Imported snapshots are written into one
``archive/.import-*`` folder and renamed into place only when all are written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from toppypi.atomic import atomic_write
from toppypi.dataset.layout import ARCHIVE, IMPORT_PREFIX, OLD_SUFFIX, Layout

Extra = Callable[[Path], list[str]]  # writes more files into a staged folder, returns names


def swap_dir(staged: Path, target: Path) -> None:
    """Put a fully written folder in place of ``target``, keeping the old one until then."""
    old = target.with_name(f".{target.name}{OLD_SUFFIX}")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    if old.exists():
        shutil.rmtree(old)


def stage_month(
    layout: Layout,
    month: str,
    files: Mapping[str, bytes],
    *,
    keep: tuple[str, ...] = (),
    extra: Extra | None = None,
) -> list[str]:
    """Write ``archive/month/`` anew from ``files`` (and ``extra``); names written.

    ``keep`` names files of the current folder carried over unchanged (a
    release's notes when only its 12-month list is added, say).
    """
    target = layout.month_dir(month)
    staged = layout.staging_dir(month)
    if staged.exists():  # a killed run's: its files must not be swapped in with ours
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    for name, data in files.items():
        atomic_write(staged / name, data)
    names = list(files)
    for name in keep:
        src = target / name
        if name not in files and src.is_file():
            shutil.copy2(src, staged / name)
            names.append(name)
    if extra is not None:
        names += extra(staged)
    swap_dir(staged, target)  # every file was fsynced as it was written
    return names


def import_dirs(root: Path, todo: list[tuple[str, Mapping[str, bytes]]]) -> list[str]:
    """File new snapshot folders (relative paths) all together, or none of them."""
    if not todo:
        return []
    archive = root / ARCHIVE
    archive.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=IMPORT_PREFIX, dir=archive))
    done = []
    try:
        for i, (_rel, files) in enumerate(todo):
            d = staging / str(i)
            d.mkdir()
            for name, data in files.items():
                _write_synced(d / name, data)
        for i, (rel, _files) in enumerate(todo):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / str(i), target)
            done.append(rel)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return done


def _write_synced(path: Path, data: bytes) -> None:
    """On disk before it is renamed into place (``os.sync`` would flush the whole machine)."""
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fdatasync(fh.fileno())


def write_unsynced(root: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write the files whose bytes differ, each to a temporary sibling renamed into place.

    No fsync: for derived files only (a reader never sees half a file, and a
    rebuild after a power loss writes them again). Plain ``os`` calls with one
    temporary name per process: the site's 30,000 badges made ``mkstemp`` and
    its context manager most of a monthly update's time.
    """
    from toppypi.atomic import read_only, read_only_error
    from toppypi.errors import InputError

    written = []
    made: set[Path] = set()
    suffix = f".{os.getpid()}.tmp"  # the sweep removes ``.NAME.*.tmp`` a kill leaves
    for rel in sorted(files):
        path, data = root / rel, files[rel]
        try:
            st = os.stat(path)
            if st.st_size == len(data) and path.read_bytes() == data:
                continue
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            pass
        else:
            if read_only(st.st_mode):  # as atomic.py: a read-only file is the user's to keep
                raise read_only_error(path)
        tmp = path.parent / f".{path.name}{suffix}"
        try:
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            with open(tmp, "wb", opener=_published_mode) as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written


def _published_mode(path: str, flags: int) -> int:
    """0644 less the umask, as every published file (``open``'s default is 0666)."""
    return os.open(path, flags, 0o644)
