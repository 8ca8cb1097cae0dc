"""What the 12-month list costs on top of the monthly job: one command, one table.

    uv run python bench/year_list.py [--events N] [--projects P]

Thirteen months of sample events are ingested into one DuckDB store; then, in
the same run and on the same store, ``update`` of the newest month without the
12-month list (the baseline) and with it (the list is read from the month
roll-ups, gated and archived as top-pypi-packages-365-days.*).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from toppypi.dataset import Dataset
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import ingest
from toppypi.model.period import Period, add_months
from toppypi.operations.update import UpdateOptions, update
from toppypi.sample import SampleSpec, write_sample

LAST = Period.for_month(2026, 10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=300_000, help="events per month")
    ap.add_argument("--projects", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for i in range(13):
            first = add_months(LAST.start, -i)
            p = Period.for_month(first.year, first.month)
            write_sample(
                SampleSpec(p, events=args.events, projects=args.projects, seed=i),
                base / f"{p.month}.parquet",
            )
        db = base / "store.duckdb"
        ingest(db, sorted(base.glob("*.parquet")))
        times: dict[bool, list[float]] = {False: [], True: []}
        for r in range(args.repeat):
            for year in (False, True):
                engine = DuckDBEngine(db)
                ds = Dataset(base / f"ds-{year}-{r}")
                opts = UpdateOptions("2026-10", year_list=year, build_site=False)
                t0 = time.perf_counter()
                update(ds, engine, opts)
                times[year].append(time.perf_counter() - t0)
                engine.close()
    base_t, year_t = min(times[False]), min(times[True])
    print(f"{args.events:,} events/month x 13 months, {args.projects:,} projects, best of "
          f"{args.repeat}")  # fmt: skip
    print("| run | seconds | x baseline |")
    print("|---|---:|---:|")
    print(f"| update, no 12-month list (baseline) | {base_t:.3f} | 1.00 |")
    print(f"| update with the 12-month list | {year_t:.3f} | {year_t / base_t:.2f} |")


if __name__ == "__main__":
    main()
