"""Reading the shared history in tests with the standard library only (the expected values)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from functools import cache
from pathlib import Path

from tests.conftest import SHARED
from toppypi.formats import DumpFormat
from toppypi.formats.encode import encode
from toppypi.model.ranking import Methodology, Ranking


@cache
def history_rows(window: int = 30) -> dict[str, list[tuple[str, int]]]:
    """snapshot -> [(project, downloads)] in rank order, straight from the CSV."""
    out: dict[str, list[tuple[str, int]]] = {}
    path = SHARED / f"history-{window}-days.csv.gz"
    with gzip.open(path, "rt", newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            out.setdefault(rec["snapshot"], []).append((rec["project"], int(rec["download_count"])))
    return out


@cache
def last_updates() -> dict[tuple[str, str], str]:
    with (SHARED / "snapshots.csv").open(newline="", encoding="utf-8") as fh:
        return {
            (r["window_days"], r["snapshot"]): r["last_update"]
            for r in csv.DictReader(fh)
            if r["in_history"] == "1"
        }


def export_clickhouse_json(snapshot: str, path: Path) -> Path:
    """One history snapshot written as a ClickHouse-layout JSON dump by our writers."""
    last = dt.datetime.strptime(last_updates()[("30", snapshot)], "%Y-%m-%d %H:%M:%S")
    rows = [(c, p) for p, c in history_rows()[snapshot]]
    ranking = Ranking.of(rows, last, methodology=Methodology(source="ClickHouse"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(ranking, DumpFormat.JSON))
    return path


def doubled_csv(path: Path) -> Path:
    """The 2024-08-30 publication: 2024-07-01's rows, then 2024-08-30's, each with a header."""
    parts = []
    for snap in ("2024-07-01", "2024-08-30"):
        parts.append("download_count,project\n")
        parts.extend(f'{c},"{p}"\n' for p, c in history_rows()[snap])
    path.write_text("".join(parts), encoding="utf-8")
    return path
