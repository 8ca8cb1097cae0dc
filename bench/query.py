"""How long pypinfo-style queries take on the DuckDB engine.

One command: ``uv run python bench/query.py [--events N]``. It samples one
month of events, ingests them, then times each query (median of 3) against a
baseline measured in the same run: hand-written SQL grouping the raw events
by project.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

QUERIES: list[tuple[str, str, list[str], dict[str, object]]] = [
    ('"" project (roll-up)', "", ["project"], {}),
    ('"" country', "", ["country"], {}),
    ("django pyversion", "django", ["pyversion"], {}),
    ("cryptography system distro", "cryptography", ["system", "distro"], {}),
    ('"pip==3.*" pyversion version', "pip==3.*", ["pyversion", "version"], {}),
    ('"" project percent3', "", ["project", "percent3"], {}),
    ("--where country!=US --all", "boto3", ["installer"], {"where": "country!=US"}),
]


def _median(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    from toppypi.api import query
    from toppypi.engines.duckdb.store import connect, ingest, raw_relation
    from toppypi.engines.options import DuckDBOptions
    from toppypi.model.period import Period
    from toppypi.sample import SampleSpec, write_sample

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=2_000_000)
    args = ap.parse_args()
    month = Period.for_month(2026, 3)
    with tempfile.TemporaryDirectory() as tmp:
        events = Path(tmp) / "events.parquet"
        write_sample(SampleSpec(month, events=args.events, projects=5_000), events)
        db = Path(tmp) / "store.duckdb"
        ingest(db, [events])
        con = connect(db, read_only=True)
        raw = raw_relation(con, db)

        def baseline() -> object:
            sql = f'SELECT "file".project, COUNT(*) FROM {raw} GROUP BY 1'  # noqa: S608
            return con.execute(sql).fetchall()

        base = _median(baseline)
        print(
            f"{args.events:,} events, one month; baseline "
            f"(hand-written SQL, raw events by project): {base * 1000:.0f} ms"
        )
        print(f"{'query':38} {'ms':>8} {'x baseline':>11}")
        for label, project, fields, extra in QUERIES:
            run = partial(
                query,
                project,
                fields,
                options=DuckDBOptions(db=db),
                month="2026-03",
                all_installers="where" in extra,
            )
            t = _median(lambda run=run, extra=extra: run(**extra))  # type: ignore[misc]
            print(f"{label:38} {t * 1000:8.0f} {t / base:11.1f}")
        con.close()


if __name__ == "__main__":
    main()
