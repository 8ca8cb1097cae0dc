"""Baselines for the gates: the archive's past snapshots, or one dump file.

``update`` and ``toppypi check --against DATASET`` compare with the snapshots
of the same window made before the one checked (the last is "the previous
month"); ``--against FILE`` compares with that one dump.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from toppypi.checks import Report
from toppypi.checks.completeness import check_coverage
from toppypi.checks.gates import DEFAULT_THRESHOLDS, Thresholds, run_gates
from toppypi.checks.ranked import Ranked
from toppypi.dataset import ARCHIVE
from toppypi.formats.readers import read_dump
from toppypi.history import eras
from toppypi.history.importers import default_meta, dump_format, window_from_name
from toppypi.history.model import HistoricSnapshot, SnapshotMeta
from toppypi.model.period import Period, PeriodKind
from toppypi.model.snapshot import Snapshot


def ranked_of(h: HistoricSnapshot) -> Ranked:
    m = h.meta
    return Ranked(
        h.projects,
        h.counts,
        m.label,
        m.window_days,
        m.query_days,
        m.source,
        m.installers,
        eras.known_step(m.window_days, m.date),
        m.month is not None,
    )


def ranked_of_snapshot(snap: Snapshot, meta: SnapshotMeta) -> Ranked:
    return ranked_of(HistoricSnapshot.from_snapshot(meta, snap))


def from_dataset(root: Path, before: dt.date, window: int, count: int) -> list[Ranked]:
    """The last ``count`` archived snapshots of ``window`` made before ``before``, oldest first."""
    from toppypi.history.archive import catalog, load

    entries = [e for e in catalog(root, window) if e.as_of < before][-count:]
    return [ranked_of(load(e)) for e in entries]


def from_file(path: Path) -> list[Ranked]:
    snap, meta = read_with_meta(path)
    return [ranked_of_snapshot(snap, meta)]


def read_with_meta(
    path: Path, window: int | None = None, date: dt.date | None = None
) -> tuple[Snapshot, SnapshotMeta]:
    """A dump as published (not strict: the gates report what is wrong) and its methodology.

    Files without a timestamp (CSV, the 2018 list) take ``date``, else their mtime.
    """
    default = dt.datetime.combine(date, dt.time()) if date else None
    snap = read_dump(path, default_last_update=default)
    with path.open("rb") as fh:
        head = fh.read(50).decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    fmt = dump_format(snap, head)
    win = window or window_from_name(path, fmt)
    meta = archived_meta(path) if win == 30 else None
    if meta is None:
        meta = default_meta(win, snap.last_update.date(), snap.last_update, snap.source, fmt)
    snap.window_days = win
    snap.period = Period(
        meta.period_start, meta.period_end, PeriodKind.MONTH if meta.month else PeriodKind.RANGE
    )
    return snap, meta


def check_file(
    path: Path,
    against: Path | None = None,
    *,
    expected_rows: int | None = None,
    window: int | None = None,
    date: dt.date | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Report:
    """``toppypi check``: every gate on one dump, against a dataset or a dump file."""
    snap, meta = read_with_meta(path, window, date)
    current = ranked_of_snapshot(snap, meta)
    history: list[Ranked] = []
    if against is not None:
        if against.is_dir():
            history = from_dataset(
                against, meta.as_of, meta.window_days, thresholds.anomaly.history
            )
        else:
            history = from_file(against)
    return run_gates(
        snap,
        current,
        history,
        expected_rows=expected_rows,
        thresholds=thresholds,
        completeness=check_coverage(snap, expected_rows),
    )


def archived_meta(path: Path) -> SnapshotMeta | None:
    """The month of a dump that belongs to a dataset: in ``archive/YYYY-MM/``, or a root
    copy of one. Its timestamp cannot say: a backfill writes a month weeks later."""
    from toppypi.formats import ALIAS_BASENAME, BASENAME
    from toppypi.history.archive import catalog, load_meta

    p = path.resolve()
    name = p.name.replace(ALIAS_BASENAME, BASENAME, 1)
    if p.parent.parent.name == ARCHIVE:
        root, months = p.parent.parent.parent, [p.parent.name]
    elif (p.parent / ARCHIVE).is_dir():
        root, months = p.parent, [d.name for d in (p.parent / ARCHIVE).iterdir()]
    else:
        return None
    data = p.read_bytes()
    for e in catalog(root, 30):
        found = e.monthly and e.label in months and (e.path / name).is_file()
        if found and (len(months) == 1 or (e.path / name).read_bytes() == data):
            return load_meta(e)
    return None
