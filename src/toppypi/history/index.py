"""A DuckDB index of many rankings: fast ``history show`` and the site's project pages.

The dataset keeps it in ``.toppypi/history.duckdb`` (never committed) and
rebuilds it from ``archive/`` whenever the archive's fingerprint changes; this
module only builds and reads the file it is given.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toppypi.atomic import temp_path_for
from toppypi.model.ranking import Ranking

SCHEMA_VERSION = "3"


@dataclass
class IndexInfo:
    path: Path
    snapshots: int
    rows: int
    rebuilt: bool


def build(target: Path, items: Iterable[tuple[Ranking, Any]], fingerprint: str) -> IndexInfo:
    """Write the index to ``target``, atomically.

    Each item is a ranking's header (identity and methodology; its rows may be
    left out) and its rows as an Arrow table (``project``, ``download_count``):
    1.5 million rows go from CSV to DuckDB without a Python object each.
    """
    import duckdb
    import pyarrow as pa

    heads: list[Ranking] = []
    sizes: list[int] = []
    tables = []
    for i, (head, table) in enumerate(items):
        n = table.num_rows
        heads.append(head)
        sizes.append(n)
        tables.append(
            pa.table(
                {
                    "id": pa.array([i] * n, pa.int32()),
                    "rank": pa.array(range(1, n + 1), pa.int32()),
                    "project": table.column("project"),
                    "download_count": table.column("download_count"),
                }
            )
        )
    schema = pa.schema(
        [
            ("id", pa.int32()),
            ("rank", pa.int32()),
            ("project", pa.string()),
            ("download_count", pa.int64()),
        ]
    )
    rows = pa.concat_tables(tables) if tables else schema.empty_table()
    snaps = pa.table(
        {
            "id": pa.array(range(len(heads)), pa.int32()),
            "window_days": pa.array([h.window_days for h in heads], pa.int32()),
            "label": pa.array([h.label for h in heads], pa.string()),
            "as_of": pa.array([h.as_of for h in heads], pa.date32()),
            "snapshot": pa.array([h.date for h in heads], pa.date32()),
            "period_start": pa.array(
                [h.period.start if h.period else None for h in heads], pa.date32()
            ),
            "period_end": pa.array(
                [h.period.end if h.period else None for h in heads], pa.date32()
            ),
            "source": pa.array([h.source for h in heads], pa.string()),
            "installers": pa.array([h.installers for h in heads], pa.string()),
            "query_days": pa.array([h.methodology.query_days for h in heads], pa.int32()),
            "n_rows": pa.array(sizes, pa.int32()),
        }
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with temp_path_for(target) as tmp:
        tmp.unlink()
        con = duckdb.connect(str(tmp))
        try:
            con.register("snaps_in", snaps)
            con.register("rows_in", rows)
            con.execute("CREATE TABLE snapshots AS SELECT * FROM snaps_in ORDER BY id")
            con.execute("CREATE TABLE rows AS SELECT * FROM rows_in")
            con.execute(
                "CREATE TABLE state AS SELECT ? AS fingerprint, ? AS snapshots, ? AS n_rows, "
                "? AS schema",
                [fingerprint, len(heads), rows.num_rows, SCHEMA_VERSION],
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
    return IndexInfo(target, len(heads), rows.num_rows, True)


def stored(path: Path, fingerprint: str) -> IndexInfo | None:
    """The index at ``path`` when it was built from ``fingerprint`` (else None)."""
    import duckdb

    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        got = con.execute("SELECT fingerprint, snapshots, n_rows, schema FROM state").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if not got or got[0][0] != fingerprint or got[0][3] != SCHEMA_VERSION:
        return None
    return IndexInfo(path, int(got[0][1]), int(got[0][2]), False)


def query(path: Path, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one read-only statement on the index."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
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


def project_history(path: Path, project: str, window: int = 30) -> list[HistoryPoint]:
    """Rank and downloads of ``project`` in every snapshot of ``window``; None where absent."""
    rows = query(
        path,
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
