"""Where everything lives in a dataset folder, and the only parser of its names.

```
toppypi.toml                              settings
top-pypi-packages{,-30-days,-365-days}.*  the latest month (stable URLs)
archive/YYYY-MM/                          one calendar month: dumps, Parquet, full list,
                                          the 12-month list, checks.json, provenance.json,
                                          RELEASE.md
archive/snapshots/<window>d/<YYYY-MM-DD>/ an imported snapshot that is not a calendar month
.toppypi/                                 private: the lock, the derived history index
```
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from toppypi.formats import ALIAS_BASENAME, BASENAME, YEAR_BASENAME, DumpFormat, dump_name

ARCHIVE = "archive"
SNAPSHOTS = "snapshots"
PRIVATE = ".toppypi"
CONFIG_FILE = "toppypi.toml"
CHECKS_FILE = "checks.json"
PROVENANCE_FILE = "provenance.json"
RELEASE_FILE = "RELEASE.md"
META_FILE = "meta.json"
INDEX_FILE = "history.duckdb"
STAGING_SUFFIX = ".staging"
OLD_SUFFIX = ".old"
IMPORT_PREFIX = ".import-"
DEMO_MARKER = "demo"

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WINDOW = re.compile(r"([1-9]\d{0,3})d")
FIRST_YEAR = 1  # year 0 is not a date


def month_of(name: str) -> str | None:
    """``YYYY-MM`` when ``name`` is a real calendar month, else None (``2026-99`` is not)."""
    m = _MONTH.fullmatch(name)
    if not m or not FIRST_YEAR <= int(m.group(1)) <= 9998 or not 1 <= int(m.group(2)) <= 12:
        return None
    return name


def day_of(name: str) -> dt.date | None:
    if not _DAY.fullmatch(name):
        return None
    try:
        day = dt.date.fromisoformat(name)
    except ValueError:
        return None
    return day if day.year >= FIRST_YEAR else None


def window_of(name: str) -> int | None:
    m = _WINDOW.fullmatch(name)
    return int(m.group(1)) if m else None


@dataclass(frozen=True)
class Layout:
    """Paths in one dataset folder."""

    root: Path

    @property
    def archive(self) -> Path:
        return self.root / ARCHIVE

    @property
    def private(self) -> Path:
        return self.root / PRIVATE

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def index(self) -> Path:
        return self.private / INDEX_FILE

    def month_dir(self, month: str) -> Path:
        if month_of(month) is None:
            raise ValueError(f"not a month: {month!r}")
        return self.archive / month

    def snapshot_dir(self, window: int, day: dt.date) -> Path:
        return self.archive / SNAPSHOTS / f"{window}d" / day.isoformat()

    def staging_dir(self, month: str) -> Path:
        return self.archive / f".{month}{STAGING_SUFFIX}"

    def latest(self, fmt: DumpFormat, base: str = BASENAME) -> Path:
        return self.root / dump_name(fmt, base)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


LATEST_BASES = (BASENAME, ALIAS_BASENAME)
YEAR_BASE = YEAR_BASENAME


def written_by_toppypi(rel: str) -> bool:
    """Whether toppypi writes ``rel`` (relative to the dataset root): what a release commits.

    Anything else in the work tree (a staged ``.env``, the user's notes, a hand
    edit of ``toppypi.toml``) is the user's to commit; a release never takes it.
    """
    from toppypi.dataset.datapackage import NAME as DATAPACKAGE
    from toppypi.publish.citation import CFF_FILE, ZENODO_FILE
    from toppypi.publish.notes import CHANGELOG_FILE
    from toppypi.publish.sums import SUMS_FILE
    from toppypi.site.build import SITE_ROOTS

    top, _, rest = rel.partition("/")
    if not rest and top.startswith(BASENAME):
        return True  # the latest dumps and their aliases
    release = (ARCHIVE, DATAPACKAGE, SUMS_FILE, CHANGELOG_FILE, CFF_FILE, ZENODO_FILE)
    return top in release or top in SITE_ROOTS
