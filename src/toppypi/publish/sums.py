"""SHA256SUMS: one line per published data file, checkable with ``sha256sum -c``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from toppypi.dataset import ARCHIVE

SUMS_FILE = "SHA256SUMS"
DUMP_PREFIX = "top-pypi-packages"


def published_files(root: Path) -> list[Path]:
    """The latest dumps, their aliases and everything archived, in a stable order."""
    files = [p for p in root.glob(f"{DUMP_PREFIX}*") if p.is_file()]
    archive = root / ARCHIVE
    if archive.is_dir():
        files += [
            p
            for p in archive.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
        ]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def render_sums(root: Path) -> str:
    return "".join(
        f"{sha256(p)}  {p.relative_to(root).as_posix()}\n" for p in published_files(root)
    )
