"""The static site built from ``archive/``.

``build_site`` is the one entry point ``update``, ``demo`` and publishing call.
The pages are plain HTML (the top 100 need no JavaScript); the longer lists and
the project history (every snapshot of both windows) load compact data files
written next to them, and ``badges/`` holds a rank badge per listed project.
"""

from __future__ import annotations

from pathlib import Path


def build_site(root: Path) -> list[Path]:
    """Write the site into the dataset ``root``; returns the files whose bytes changed.

    Rebuilding from an unchanged archive writes nothing and returns ``[]``.
    """
    from toppypi.site.build import build

    return build(root).written
