"""Parquet ingest against chDB grouping the same file by project and day, in the same run.

    uv run --group bench python bench/ingest_parquet.py [--events 10000000]

The baseline is what an in-process ClickHouse (chDB) takes just to group the
file by project and day: once with the result thrown away (``Null``), once
kept as an Arrow table. Ingest must do more (a raw copy, its hash, three
roll-ups, a transaction), so "no slower than chDB" is the bar. Each figure is
the median of ``--repeat`` runs, alternating, on a fresh store each time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from toppypi.engines.duckdb.store import ingest
from toppypi.model.period import Period
from toppypi.sample import SampleSpec, write_sample

CPU: dict[str, list[float]] = {"ours": [], "Null": [], "ArrowTable": []}


def chdb_group(path: Path, fmt: str) -> float:
    import chdb

    sql = (
        "SELECT toDate(timestamp) AS day, file.project AS project, count() AS n "  # noqa: S608
        f"FROM file('{path}', Parquet) GROUP BY day, project"
    )
    c0, t0 = time.process_time(), time.perf_counter()
    chdb.query(sql, fmt)
    CPU[fmt].append(time.process_time() - c0)
    return time.perf_counter() - t0


def our_ingest(path: Path, work: Path) -> float:
    db = work / "store.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(work / "store.duckdb.events", ignore_errors=True)
    c0, t0 = time.process_time(), time.perf_counter()
    ingest(db, [path])
    CPU["ours"].append(time.process_time() - c0)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=None, help="work directory (keeps the sample)")
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="toppypi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sample = work / f"events-{args.events}.parquet"
    if not sample.exists():
        spec = SampleSpec(Period.for_month(2026, 9), events=args.events, projects=args.projects)
        write_sample(spec, sample)
    chdb_group(sample, "Null")  # warm chDB up (its first query loads the engine)
    CPU["Null"].clear()
    times: dict[str, list[float]] = {"ours": [], "Null": [], "ArrowTable": []}
    for _ in range(args.repeat):
        times["Null"].append(chdb_group(sample, "Null"))
        times["ours"].append(our_ingest(sample, work))
        times["ArrowTable"].append(chdb_group(sample, "ArrowTable"))
    ours = statistics.median(times["ours"])
    size = sample.stat().st_size / 2**20
    print(f"{args.events:,} events, {size:,.0f} MiB Parquet, median of {args.repeat}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'what':<46} {'seconds':>8} {'events/s':>12} {'ours / it':>10} {'CPU s':>6}")
    rows = [
        ("toppypi ingest (copy, hash, 3 roll-ups, commit)", ours, "ours"),
        ("chDB GROUP BY project, day -> Null", statistics.median(times["Null"]), "Null"),
        (
            "chDB GROUP BY project, day -> Arrow table",
            statistics.median(times["ArrowTable"]),
            "ArrowTable",
        ),
    ]
    for name, t, key in rows:
        cpu = statistics.median(CPU[key])
        print(f"{name:<46} {t:>8.2f} {args.events / t:>12,.0f} {ours / t:>9.2f}x {cpu:>6.2f}")


if __name__ == "__main__":
    main()
