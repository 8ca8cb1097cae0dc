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
        if report.written:
            w.write_datapackage()
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


@dataclass(frozen=True)
class ExportOptions:
    window: int | None = None  # 30, 365, or None for both


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int
    snapshots: int


EXPORT_COLUMNS = ("snapshot", "window_days", "rank", "project", "download_count", "source")
_EXPORT_SQL = (
    "SELECT s.snapshot, s.window_days, r.rank, r.project, r.download_count, s.source "
    "FROM rows r JOIN snapshots s ON s.id = r.id {where} "
    "ORDER BY s.window_days, s.as_of, s.snapshot, r.rank"
)


def export_history(ds: Dataset, output: Path, options: ExportOptions) -> Exported:
    """Every snapshot in one long table (``snapshot, window_days, rank, project,
    download_count, source``), sorted, written atomically as Parquet or ``.csv.gz``.

    DuckDB copies it from the history index, so memory stays bounded; the file
    is a release asset, not committed, so the repository does not grow by it.
    """
    import duckdb

    from toppypi.atomic import temp_path_for
    from toppypi.operations.outputs import check_output

    if output.name.endswith(".parquet"):
        fmt = "(FORMAT PARQUET, COMPRESSION ZSTD)"
    elif output.name.endswith(".csv.gz"):
        fmt = "(FORMAT CSV, HEADER, COMPRESSION GZIP)"
    else:
        raise UsageError(f"-o {output.name}: the export is a .parquet or a .csv.gz file")
    root = ds.root.resolve()
    target = output.resolve()
    if root / "archive" in target.parents or ds.layout.private.resolve() in target.parents:
        raise UsageError(f"-o {output}: only the dataset writes under archive/ and .toppypi/")
    check_output(output)
    if not ds.catalog(options.window):
        which = f"{options.window}-day " if options.window else ""
        raise UsageError(f"{ds.root}: the archive has no {which}snapshots to export")
    info: index.IndexInfo = ds.history_index()
    where = "WHERE s.window_days = ?" if options.window else ""
    params = [options.window] if options.window else []
    select = _EXPORT_SQL.replace("{where}", where)
    con = duckdb.connect(str(info.path), read_only=True)
    try:
        with temp_path_for(output) as tmp:
            tmp.unlink()
            con.execute(f"COPY ({select}) TO '{_literal(tmp)}' {fmt}", params)
        counts = con.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT s.id) FROM rows r "  # noqa: S608 - our own SQL
            f"JOIN snapshots s ON s.id = r.id {where}",
            params,
        ).fetchone()
    finally:
        con.close()
    rows, snapshots = counts if counts else (0, 0)
    return Exported(output, int(rows), int(snapshots))


def _literal(path: Path) -> str:
    """A path as the inside of a SQL string literal (our own temporary file's name)."""
    return str(path).replace("'", "''")
