"""Benchmarks for the vertical slice: sample, ingest, top-N, start-up.

    uv run python bench/run.py            # 10M events
    uv run python bench/run.py --events 100000000

Each figure has a baseline measured in the same run, because these machines
are noisy: ingest against DuckDB aggregating the same Parquet directly, and
the store's top-15k against the naive scan of the raw Parquet.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import ingest
from toppypi.model.period import Period
from toppypi.operations.top import TopOptions, top_query
from toppypi.sample import SampleSpec, write_sample

MONTHS = (Period.for_month(2026, 8), Period.for_month(2026, 9), Period.for_month(2026, 10))


def timed(fn: object, repeat: int = 1) -> float:
    """Median wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def naive_top(files: list[Path], period: Period) -> list[tuple[str, int]]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    paths = [str(f) for f in files]
    rows = con.execute(
        """SELECT file.project, COUNT(*) AS n FROM read_parquet(?)
        WHERE timestamp >= ? AND timestamp < ? GROUP BY 1 ORDER BY n DESC, 1 LIMIT 15000""",
        [paths, f"{period.start} 00:00:00+00", f"{period.end} 23:59:59.999999+00"],
    ).fetchall()
    con.close()
    return [(r[0], int(r[1])) for r in rows]


def baseline_aggregate(files: list[Path]) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        """CREATE TABLE agg AS SELECT CAST(timestamp AS DATE) AS day, file.project AS project,
        details.installer.name AS installer, COUNT(*) AS n FROM read_parquet(?) GROUP BY ALL""",
        [[str(f) for f in files]],
    )
    con.close()


def help_time(repeat: int = 5) -> float:
    cmd = [sys.executable, "-m", "toppypi", "--help"]
    return timed(lambda: subprocess.run(cmd, capture_output=True, check=True), repeat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000, help="total events (3 months)")
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temp dir)")
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="toppypi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    per_month = args.events // len(MONTHS)
    files = [work / f"{p.month}.parquet" for p in MONTHS]

    t_sample = 0.0
    for i, (p, f) in enumerate(zip(MONTHS, files, strict=True)):
        spec = SampleSpec(p, events=per_month, projects=args.projects, seed=i)
        t_sample += timed(lambda spec=spec, f=f: write_sample(spec, f))
    total = per_month * len(MONTHS)
    size = sum(f.stat().st_size for f in files)

    t_base_ingest = timed(lambda: baseline_aggregate(files))
    db = work / "store.duckdb"
    t_ingest = timed(lambda: ingest(db, files))

    month = MONTHS[-1]
    engine = DuckDBEngine(db)
    q = top_query(TopOptions(month))
    engine.run(q)  # warm the connection
    t_top = timed(lambda: engine.run(q), repeat=5)
    t_naive = timed(lambda: naive_top(files, month), repeat=3)
    ours = [(str(r[0]), int(r[1])) for r in engine.run(q).rows]  # type: ignore[call-overload]
    assert ours == naive_top(files, month), "store and naive scan disagree"
    t_help = help_time()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = [
        ("events", f"{total:,}", f"{size / 2**20:,.0f} MiB Parquet", ""),
        ("sample", f"{total / t_sample:,.0f} events/s", f"{t_sample:.1f} s", ""),
        (
            "ingest",
            f"{total / t_ingest:,.0f} events/s",
            f"{t_ingest:.2f} s",
            f"baseline (DuckDB aggregate of the Parquet) {t_base_ingest:.2f} s = "
            f"{t_ingest / t_base_ingest:.2f}x",
        ),
        (
            "top-15k, one month",
            f"{t_top * 1000:.1f} ms",
            "from the store",
            f"naive Parquet scan {t_naive * 1000:.0f} ms = {t_naive / t_top:.0f}x faster",
        ),
        ("toppypi --help", f"{t_help * 1000:.0f} ms", "median of 5", ""),
        ("peak RSS (this process)", f"{rss_mb:,.0f} MiB", "", ""),
    ]
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"{'what':<{w[0]}}  {'figure':>{w[1]}}  {'detail':<{w[2]}}  comparison")
    for r in rows:
        print(f"{r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:<{w[2]}}  {r[3]}")
    print(f"work dir: {work}")


if __name__ == "__main__":
    main()
