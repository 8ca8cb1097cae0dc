"""``site build`` and ``site serve``: the static site, written through the dataset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toppypi.dataset import Dataset, Writer

Say = Callable[[str], None]
DEFAULT_TITLE = "Top PyPI Packages"


@dataclass
class SiteBuild:
    root: Path
    files: list[Path] = field(default_factory=list)  # every file of the site
    written: list[Path] = field(default_factory=list)  # those whose bytes changed
    removed: list[Path] = field(default_factory=list)  # pages of months no longer archived
    months: list[str] = field(default_factory=list)
    snapshots: int = 0  # every archived snapshot, both windows
    skipped: list[str] = field(default_factory=list)  # archive/ folders that hold no snapshot


def title_of(ds: Dataset) -> str:
    cfg = ds.config()
    return cfg.title if cfg is not None else DEFAULT_TITLE


def build_locked(w: Writer, *, title: str | None = None) -> SiteBuild:
    """Render the site from the archive and write only the files whose bytes changed."""
    from toppypi.site.build import remove_stale, site_files

    ds = w.dataset
    site = site_files(ds, title=title or title_of(ds))
    out = SiteBuild(ds.root, months=site.months, snapshots=site.snapshots, skipped=site.skipped)
    out.files = [ds.root / rel for rel in sorted(site.files)]
    out.written = w.write_files(site.files, derived=True)
    out.removed = remove_stale(ds.root, set(site.files))
    return out


def build(ds: Dataset, *, wait: float = 0.0, say: Say = lambda _: None) -> SiteBuild:
    with ds.writing(wait=wait, say=say) as w:
        return build_locked(w)
