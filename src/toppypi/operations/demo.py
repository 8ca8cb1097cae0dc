"""The offline demo: sample events, ingest them, and publish each month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toppypi.dataset import Dataset
from toppypi.dataset.layout import ARCHIVE, CONFIG_FILE
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import ingest
from toppypi.errors import UsageError
from toppypi.model.period import Period, add_months, utc_today
from toppypi.operations.site import build_locked
from toppypi.operations.update import UpdateOptions, UpdateResult, update_locked
from toppypi.sample import SampleSpec, write_sample

Say = Callable[[str], None]
YEAR_MONTHS = 12
HISTORY_SHARE = 8  # months before the published ones get 1/8 of the events: the 12-month list


@dataclass
class DemoResult:
    root: Path
    months: list[str] = field(default_factory=list)
    updates: list[UpdateResult] = field(default_factory=list)


def demo_months(n: int, today: dt.date | None = None) -> list[Period]:
    last = Period.last_complete_month(today)
    firsts = [add_months(last.start, -i) for i in reversed(range(n))]
    return [Period.for_month(d.year, d.month) for d in firsts]


def _refuse_other_datasets(ds: Dataset) -> None:
    """The demo writes only into a new folder or its own earlier output."""
    if ds.is_demo():
        return
    if ds.layout.config.exists() or ds.months():
        what = CONFIG_FILE if ds.layout.config.exists() else f"{ARCHIVE}/"
        tags = sorted(t for ts in ds.released().values() for t in ts)
        released = f", released as {', '.join(tags[-3:])}" if tags else ""
        raise UsageError(
            f"{ds.root} holds a dataset ({what}{released}) that the demo did not make; "
            "give --dir a new folder"
        )


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
    ds = Dataset(root)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file; give --dir a folder")
    if root.is_dir():
        _refuse_other_datasets(ds)
    out = DemoResult(root)
    published = demo_months(months, today or utc_today())
    history = demo_months(months + YEAR_MONTHS - 1, today or utc_today())
    with ds.writing(say=say) as w:
        w.mark_demo()
        w.refuse_released([p.month for p in published if p.month], "the demo")
        db = root / "store.duckdb"
        events = root / "events"
        for i, period in enumerate(history):
            path = events / f"{period.month}.parquet"
            if path.exists():
                continue
            n = events_per_month if period in published else events_per_month // HISTORY_SHARE
            say(f"sampling {n:,} events for {period.month} ...")
            spec = SampleSpec(period, events=n, projects=projects, seed=seed + i)
            write_sample(spec, path)
        say("ingesting into the local store ...")
        ingest(db, sorted(events.glob("*.parquet")))
        engine = DuckDBEngine(db)
        try:
            for period in published:
                assert period.month is not None
                options = UpdateOptions(period.month, limit=limit, build_site=False)
                res = update_locked(w, engine, options, say=say)
                out.months.append(period.month)
                out.updates.append(res)
                state = "unchanged" if res.unchanged else f"{len(res.ranking):,} rows"
                say(f"{period.month}: {state}, {res.report.summary()}")
        finally:
            engine.close()
        build_locked(w)
    return out
