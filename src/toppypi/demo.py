"""The offline demo: sample events, ingest them, and publish each month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import ingest
from toppypi.model.period import Period, add_months, utc_today
from toppypi.sample import SampleSpec, write_sample
from toppypi.site import build_site
from toppypi.update import UpdateResult, update

Say = Callable[[str], None]


@dataclass
class DemoResult:
    root: Path
    months: list[str] = field(default_factory=list)
    updates: list[UpdateResult] = field(default_factory=list)


def demo_months(n: int, today: dt.date | None = None) -> list[Period]:
    last = Period.last_complete_month(today)
    firsts = [add_months(last.start, -i) for i in reversed(range(n))]
    return [Period.for_month(d.year, d.month) for d in firsts]


def run_demo(
    root: Path,
    *,
    months: int = 3,
    events_per_month: int = 1_000_000,
    projects: int = 20_000,
    limit: int = 15_000,
    seed: int = 0,
    today: dt.date | None = None,
    say: Say = lambda _: None,
) -> DemoResult:
    """Everything offline, in about a minute; safe to rerun in the same folder."""
    root.mkdir(parents=True, exist_ok=True)
    db = root / "store.duckdb"
    events = root / "events"
    out = DemoResult(root)
    periods = demo_months(months, today or utc_today())
    for i, period in enumerate(periods):
        path = events / f"{period.month}.parquet"
        if not path.exists():
            say(f"sampling {events_per_month:,} events for {period.month} ...")
            spec = SampleSpec(period, events=events_per_month, projects=projects, seed=seed + i)
            write_sample(spec, path)
    say("ingesting into the local store ...")
    ingest(db, sorted(events.glob("*.parquet")))
    engine = DuckDBEngine(db)
    try:
        for period in periods:
            assert period.month is not None
            res = update(root, engine, period, limit=limit)
            out.months.append(period.month)
            out.updates.append(res)
            state = "unchanged" if res.written.unchanged else f"{len(res.snapshot.rows):,} rows"
            say(f"{period.month}: {state}, {res.report.summary()}")
    finally:
        engine.close()
    build_site(root)
    return out
