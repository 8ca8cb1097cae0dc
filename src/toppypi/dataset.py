"""The dataset directory: latest dumps, deprecated aliases, and ``archive/``.

``archive/YYYY-MM/`` is the source of truth; the latest files are copies of
the newest month. Every file is written atomically, and a month whose rows
are already archived is left byte for byte as it is.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toppypi.atomic import atomic_write, replace_dir
from toppypi.checks import Report
from toppypi.formats import ALIAS_BASENAME, BASENAME, DumpFormat
from toppypi.formats.readers import layout_of, read_dump
from toppypi.formats.writers import parquet_bytes, render
from toppypi.model.snapshot import Snapshot

TEXT_FORMATS = (DumpFormat.JSON, DumpFormat.MIN_JSON, DumpFormat.CSV)
ARCHIVE = "archive"
CHECKS_FILE = "checks.json"


def dump_name(fmt: DumpFormat, base: str = BASENAME) -> str:
    return f"{base}.{fmt.value}"


@dataclass
class Dataset:
    root: Path

    @property
    def archive(self) -> Path:
        return self.root / ARCHIVE

    def month_dir(self, month: str) -> Path:
        return self.archive / month

    def months(self) -> list[str]:
        """Archived months, oldest first."""
        if not self.archive.is_dir():
            return []
        return sorted(
            p.name
            for p in self.archive.iterdir()
            if p.is_dir() and len(p.name) == 7 and (p / dump_name(DumpFormat.JSON)).is_file()
        )

    def load(self, month: str) -> Snapshot:
        return read_dump(self.month_dir(month) / dump_name(DumpFormat.JSON))

    def previous(self, month: str) -> str | None:
        earlier = [m for m in self.months() if m < month]
        return earlier[-1] if earlier else None


@dataclass
class WriteReport:
    month: str
    written: list[Path] = field(default_factory=list)
    unchanged: bool = False
    latest: bool = False


def same_data(a: Snapshot, b: Snapshot) -> bool:
    """Same ranking from the same source: a rerun that must change nothing."""
    return a.rows == b.rows and a.source == b.source


def month_files(snapshot: Snapshot) -> dict[str, bytes]:
    layout = layout_of(snapshot)
    files = {dump_name(f): render(snapshot, f, layout) for f in TEXT_FORMATS}
    files[dump_name(DumpFormat.PARQUET)] = parquet_bytes(snapshot)
    return files


def write_month(
    ds: Dataset,
    month: str,
    snapshot: Snapshot,
    report: Report | None = None,
    extra: Callable[[Path], list[str]] | None = None,
) -> WriteReport:
    """Archive ``snapshot`` as ``month`` and refresh the latest files if it is the newest.

    ``extra`` writes more files (the full list) into the staged month folder and
    returns their names; they are swapped in with the rest, or not at all.
    """
    out = WriteReport(month)
    target = ds.month_dir(month)
    existing = target / dump_name(DumpFormat.JSON)
    if existing.is_file() and same_data(read_dump(existing), snapshot):
        out.unchanged = True
        snapshot = read_dump(existing)  # keep its timestamp: a rerun changes no byte
    else:
        files = month_files(snapshot)
        if report is not None:
            files[CHECKS_FILE] = (json.dumps(report.to_json(), indent=2) + "\n").encode()
        staged = ds.archive / f".{month}.staging"
        if staged.exists():  # a killed run's: its files must not be swapped in with ours
            shutil.rmtree(staged)
        staged.mkdir(parents=True)
        for name, data in files.items():
            atomic_write(staged / name, data)
        names = [*files, *(extra(staged) if extra is not None else [])]
        replace_dir(staged, target)
        out.written.extend(target / n for n in names)
    if month == max(ds.months(), default=month):
        out.latest = True
        for fmt in TEXT_FORMATS:
            data = render(snapshot, fmt, layout_of(snapshot))
            for base in (BASENAME, ALIAS_BASENAME):
                path = ds.root / dump_name(fmt, base)
                if atomic_write(path, data):
                    out.written.append(path)
    return out
