"""``history import/rebuild/show``, ``movers`` and ``diff``: the kept history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toppypi.dataset import Dataset, ImportReport
from toppypi.errors import UsageError
from toppypi.formats.decode import read_dump
from toppypi.history import index
from toppypi.history.compare import Comparison, comparison
from toppypi.history.importers import read_inputs, with_methodology
from toppypi.model.ranking import Ranking

Say = Callable[[str], None]


@dataclass(frozen=True)
class ImportOptions:
    date: dt.date | None = None  # the snapshot day of dumps without a timestamp
    window: int | None = None  # the window of single dumps; default: from the name
    wait: float = 0.0


@dataclass
class ImportResult:
    report: ImportReport
    index: index.IndexInfo


def import_history(
    ds: Dataset, paths: Sequence[Path], options: ImportOptions, *, say: Say = lambda _: None
) -> ImportResult:
    """File published snapshots of any era under ``archive/``: all or nothing."""
    items = read_inputs(list(paths), date=options.date, window=options.window)
    with ds.writing(wait=options.wait, say=say) as w:
        report = w.import_snapshots(items)
        info = ds.history_index()
    return ImportResult(report, info)


def rebuild_index(ds: Dataset) -> index.IndexInfo:
    if not ds.layout.archive.is_dir():
        raise UsageError(f"{ds.root}: no archive/ here; run `toppypi history import` first")
    info: index.IndexInfo = ds.history_index(rebuild=True)
    return info


def show(ds: Dataset, project: str, window: int = 30) -> list[index.HistoryPoint]:
    """Rank and downloads of ``project`` in every snapshot of ``window``."""
    if not ds.catalog(window):
        raise UsageError(
            f"{ds.root}: the archive has no {window}-day snapshots; run `toppypi history import`"
        )
    info: index.IndexInfo = ds.history_index()
    points = index.project_history(info.path, project, window)
    if all(p.rank is None for p in points):
        raise UsageError(f"{project} is in none of the {len(points)} {window}-day snapshots")
    return points


def movers(ds: Dataset, month: str | None = None, *, window: int = 30, top: int = 25) -> Comparison:
    """A snapshot against the previous snapshot of the same window."""
    entries = ds.catalog(window)
    cur = ds.find(month, window) if month else _latest(ds, window)
    earlier = [e for e in entries if e.as_of < cur.as_of]
    if not earlier:
        raise UsageError(f"{cur.label} is the first {window}-day snapshot: nothing to compare")
    return comparison(ds.load_entry(earlier[-1]), ds.load_entry(cur), top=top)


def _latest(ds: Dataset, window: int) -> Any:
    mine = ds.catalog(window)
    if not mine:
        raise UsageError(
            f"{ds.root}: the archive has no {window}-day snapshots; run `toppypi history import`"
        )
    return mine[-1]


def side(ds: Dataset, spec: str, window: int) -> Ranking:
    """A dump file, or a snapshot of the archive (a month or a date)."""
    from toppypi.dataset.layout import day_of, month_of

    p = Path(spec)
    if p.is_file():
        return with_methodology(read_dump(p), window=window, name=str(p))
    if month_of(spec) is None and day_of(spec) is None:
        raise UsageError(f"{spec}: no such file, nor a snapshot (YYYY-MM or YYYY-MM-DD)")
    return ds.load_entry(ds.find(spec, window))


def diff(ds: Dataset, a: str, b: str, *, window: int = 30, top: int = 25) -> Comparison:
    """Any two snapshots (month, date) or dump files."""
    return comparison(side(ds, a, window), side(ds, b, window), top=top)
