"""The derived DuckDB index of ``archive/``: fast ``history show`` and replays.

It lives in ``<dataset>/.toppypi/history.duckdb`` next to a ``.gitignore`` of
``*``, so it is never committed. It records a fingerprint of the archive
(folder names, sizes and modification times of the data files) and is rebuilt
whenever that changes, or on ``toppypi history rebuild``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toppypi.atomic import atomic_write, temp_path_for
from toppypi.history.archive import Entry, catalog, load_meta, rows_table

INDEX_DIR = ".toppypi"
INDEX_FILE = "history.duckdb"
SCHEMA_VERSION = "2"


def index_path(root: Path) -> Path:
    return root / INDEX_DIR / INDEX_FILE


def private_dir(root: Path) -> Path:
    """``.toppypi/``: derived files and locks, never committed (it ignores itself)."""
    d = root / INDEX_DIR
    atomic_write(d / ".gitignore", b"*\n")
    return d


def fingerprint(entries: list[Entry]) -> str:
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    for e in entries:
        st = e.rows_file.stat()
        h.update(
            f"{e.window_days}|{e.path.parent.name}/{e.label}|{st.st_size}|{st.st_mtime_ns}\n".encode()
        )
    return h.hexdigest()


@dataclass
class IndexInfo:
    path: Path
    snapshots: int
    rows: int
    rebuilt: bool


def rebuild(root: Path) -> IndexInfo:
    """Build the index from the archive alone, atomically."""
    import duckdb
    import pyarrow as pa

    entries = catalog(root)
    metas = [load_meta(e) for e in entries]
    tables = []
    for i, e in enumerate(entries):
        t = rows_table(e)
        n = t.num_rows
        tables.append(
            pa.table(
                {
                    "id": pa.array([i] * n, pa.int32()),
                    "rank": pa.array(range(1, n + 1), pa.int32()),
                    "project": t.column("project"),
                    "download_count": t.column("download_count"),
                }
            )
        )
    rows = (
        pa.concat_tables(tables)
        if tables
        else pa.table(
            {
                "id": pa.array([], pa.int32()),
                "rank": pa.array([], pa.int32()),
                "project": pa.array([], pa.string()),
                "download_count": pa.array([], pa.int64()),
            }
        )
    )
    snaps = pa.table(
        {
            "id": pa.array(range(len(entries)), pa.int32()),
            "window_days": pa.array([e.window_days for e in entries], pa.int32()),
            "label": pa.array([e.label for e in entries], pa.string()),
            "as_of": pa.array([e.as_of for e in entries], pa.date32()),
            "snapshot": pa.array([m.date for m in metas], pa.date32()),
            "period_start": pa.array([m.period_start for m in metas], pa.date32()),
            "period_end": pa.array([m.period_end for m in metas], pa.date32()),
            "source": pa.array([m.source for m in metas], pa.string()),
            "installers": pa.array([m.installers for m in metas], pa.string()),
            "query_days": pa.array([m.query_days for m in metas], pa.int32()),
            "n_rows": pa.array([t.num_rows for t in tables], pa.int32()),
        }
    )
    fp = fingerprint(entries)
    target = private_dir(root) / INDEX_FILE
    with temp_path_for(target) as tmp:
        tmp.unlink()
        con = duckdb.connect(str(tmp))
        try:
            con.register("snaps_in", snaps)
            con.register("rows_in", rows)
            con.execute("CREATE TABLE snapshots AS SELECT * FROM snaps_in ORDER BY id")
            con.execute("CREATE TABLE rows AS SELECT * FROM rows_in")
            con.execute(
                "CREATE TABLE state AS SELECT ? AS fingerprint, ? AS snapshots, ? AS n_rows",
                [fp, len(entries), rows.num_rows],
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
    return IndexInfo(target, len(entries), rows.num_rows, True)


def _stored_state(path: Path) -> tuple[str, int, int] | None:
    """(fingerprint, snapshots, rows) of an index file; None when absent or unreadable."""
    import duckdb

    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        got = con.execute("SELECT fingerprint, snapshots, n_rows FROM state").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return (str(got[0][0]), int(got[0][1]), int(got[0][2])) if got else None


def ensure(root: Path) -> IndexInfo:
    """The index, rebuilt first if the archive changed since it was built."""
    path = index_path(root)
    state = _stored_state(path)
    if state is not None and state[0] == fingerprint(catalog(root)):
        return IndexInfo(path, state[1], state[2], False)
    return rebuild(root)


def query(root: Path, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one read-only statement on a fresh index."""
    import duckdb

    info = ensure(root)
    con = duckdb.connect(str(info.path), read_only=True)
    try:
        return [tuple(r) for r in con.execute(sql, params).fetchall()]
    finally:
        con.close()


@dataclass(frozen=True)
class HistoryPoint:
    label: str
    snapshot: dt.date
    period_start: dt.date
    period_end: dt.date
    source: str
    rank: int | None
    download_count: int | None
    rows: int

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": self.label,
            "date": self.snapshot.isoformat(),
            "period": f"{self.period_start.isoformat()}/{self.period_end.isoformat()}",
            "source": self.source,
            "rank": self.rank,
            "download_count": self.download_count,
            "of": self.rows,
        }


def project_history(root: Path, project: str, window: int = 30) -> list[HistoryPoint]:
    """Rank and downloads of ``project`` in every snapshot of ``window``; None where absent."""
    rows = query(
        root,
        "SELECT s.label, s.snapshot, s.period_start, s.period_end, s.source, r.rank, "
        "r.download_count, s.n_rows FROM snapshots s "
        "LEFT JOIN (SELECT * FROM rows WHERE project = ?) r ON r.id = s.id "
        "WHERE s.window_days = ? ORDER BY s.as_of",
        [project, window],
    )
    return [HistoryPoint(*r) for r in rows]


def schedule_gaps(
    points: list[HistoryPoint], max_days: int = 40
) -> list[tuple[HistoryPoint, HistoryPoint, int]]:
    """Consecutive snapshots whose periods end more than ``max_days`` apart: a missed run."""
    out = []
    for a, b in itertools.pairwise(points):
        days = (b.period_end - a.period_end).days
        if days > max_days:
            out.append((a, b, days))
    return out
