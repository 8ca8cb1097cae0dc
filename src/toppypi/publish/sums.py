"""SHA256SUMS: one line per published data file, checkable with ``sha256sum -c``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

SUMS_FILE = "SHA256SUMS"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def render_sums(root: Path, files: Sequence[Path]) -> str:
    """``files`` (the dataset says which are published) in a stable order."""
    ordered = sorted(files, key=lambda p: p.relative_to(root).as_posix())
    return "".join(f"{sha256(p)}  {p.relative_to(root).as_posix()}\n" for p in ordered)
