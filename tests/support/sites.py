"""Build a dataset's site the way every command does (through the dataset's writer)."""

from __future__ import annotations

from pathlib import Path

from toppypi.dataset import Dataset
from toppypi.operations.site import SiteBuild
from toppypi.operations.site import build as _build


def build(root: Path) -> SiteBuild:
    return _build(Dataset(root))


def build_site(root: Path) -> list[Path]:
    """The files whose bytes changed."""
    return build(root).written
