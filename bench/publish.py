"""What publishing costs on top of the monthly job: one command, one table.

    uv run python bench/publish.py [--events N] [--projects P]

Baseline: ``update`` for a month into a plain directory. Measured in the same
run, on the same store: ``update --publish`` of that month into a dataset repo
(notes, citation, sums, commit, tag, push to a local bare remote), then the
second run that finds the month published.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from toppypi.dataset import Dataset
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import ingest
from toppypi.model.period import Period
from toppypi.operations.init import InitOptions, init_dataset
from toppypi.operations.publish import PublishOptions, publish
from toppypi.operations.update import UpdateOptions, update
from toppypi.publish.config import Config
from toppypi.sample import SampleSpec, write_sample

MONTHS = (Period.for_month(2026, 2), Period.for_month(2026, 3))


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=400_000)
    ap.add_argument("--projects", type=int, default=20_000)
    ap.add_argument("--limit", type=int, default=15_000)
    args = ap.parse_args()
    os.environ.setdefault("GIT_CONFIG_GLOBAL", os.devnull)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for i, p in enumerate(MONTHS):
            write_sample(
                SampleSpec(p, events=args.events, projects=args.projects, seed=i),
                base / f"{p.month}.parquet",
            )
        db = base / "store.duckdb"
        ingest(db, sorted(base.glob("*.parquet")))
        engine = DuckDBEngine(db)
        plain = Dataset(base / "plain")

        def opts(p: Period) -> UpdateOptions:
            assert p.month is not None
            return UpdateOptions(p.month, limit=args.limit, year_list=False)

        update(plain, engine, opts(MONTHS[0]))
        t_update = timed(lambda: update(plain, engine, opts(MONTHS[1])))
        engine.close()

        subprocess.run(["git", "init", "-q", "--bare", str(base / "remote.git")], check=True)
        cfg = Config(limit=args.limit, source="duckdb", remote="origin")
        init_dataset(base / "ds", InitOptions(cfg, remote_url=str(base / "remote.git")))

        def run(period: Period) -> object:
            return publish(
                Dataset(base / "ds"), lambda: DuckDBEngine(db), PublishOptions(opts(period))
            )

        run(MONTHS[0])
        t_publish = timed(lambda: run(MONTHS[1]))
        t_again = timed(lambda: run(MONTHS[1]))
        rows = len((base / "ds" / "top-pypi-packages.csv").read_text().splitlines()) - 1

    print(f"{args.events:,} events/month, {args.projects:,} projects, {rows:,} rows")
    print(f"{'run':<40} {'seconds':>8} {'x update':>9}")
    for name, t in (
        ("update (baseline)", t_update),
        ("update --publish (first run)", t_publish),
        ("update --publish (already published)", t_again),
    ):
        print(f"{name:<40} {t:>8.3f} {t / t_update:>9.2f}")


if __name__ == "__main__":
    main()
