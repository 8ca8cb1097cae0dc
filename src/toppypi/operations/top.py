"""``top``: a period's ranking from an engine, as a :class:`Ranking` or a streamed full list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from toppypi.engines.interface import Engine
from toppypi.errors import CheckFailed, EngineError
from toppypi.formats.stream import Batch
from toppypi.model.period import Period, utc_now
from toppypi.model.query import DEFAULT_LIMIT, Field, InstallerFilter, Query
from toppypi.model.ranking import Envelope, Methodology, Ranking, Totals
from toppypi.model.result import Result

BATCH_ROWS = 50_000


class NoData(CheckFailed):
    """The engine holds no downloads for the period: nothing is written."""


@dataclass(frozen=True)
class TopOptions:
    period: Period
    limit: int | None = DEFAULT_LIMIT  # None or 0: every project with downloads
    installers: InstallerFilter = field(default_factory=InstallerFilter)
    window_days: int | None = None  # the nominal window (30, 365); default: the period's days


def top_query(options: TopOptions) -> Query:
    return Query(
        period=options.period,
        dimensions=(Field.PROJECT,),
        installers=options.installers,
        limit=options.limit or None,
    )


def display_name(engine: Engine) -> str:
    return engine.capabilities.display_name


def ranking_from_result(
    result: Result, options: TopOptions, engine: Engine, *, now: dt.datetime | None = None
) -> Ranking:
    """The ranking in a result, with the provenance dumps publish."""
    try:
        ci = result.column_index("download_count")
        pi = result.column_index("project")
    except KeyError as exc:
        raise EngineError(f"the engine returned no {exc.args[0]!r} column") from None
    projects: list[str] = []
    counts: list[int] = []
    for r in result.rows:
        count, project = r[ci], r[pi]
        if not isinstance(count, int) or not isinstance(project, str):
            raise EngineError(f"the engine returned a malformed row: {r!r}")
        projects.append(project)
        counts.append(count)
    prov = result.provenance
    by_name = {c.name: c.type for c in result.columns}
    period = options.period
    envelope = Envelope(
        columns=(("download_count", by_name["download_count"]), ("project", by_name["project"])),
        total_rows=len(projects),
        rows_before_limit_at_least=(
            prov.rows_before_limit if prov.rows_before_limit is not None else len(projects)
        ),
        # A billed engine's dump is the pypinfo era's {last_update, query, rows}.
        statistics=None
        if prov.bytes_processed is not None
        else prov.extra.get("statistics")
        or {
            "elapsed": round(prov.elapsed, 9),
            "rows_read": prov.rows_read or 0,
            "bytes_read": prov.bytes_read or 0,
        },
        query=(
            {
                "bytes_billed": prov.bytes_billed or 0,
                "bytes_processed": prov.bytes_processed,
                "cached": prov.cached,
                "estimated_cost": f"{prov.estimated_cost or 0:.2f}",
            }
            if prov.bytes_processed is not None
            else None
        ),
    )
    calendar = period.is_whole_months
    return Ranking(
        projects,
        counts,
        (now or utc_now()).replace(microsecond=0, tzinfo=None),
        period=period,
        methodology=Methodology(
            source=display_name(engine),
            window_days=options.window_days or period.days,
            query_days=period.days,
            installers=str(options.installers),
            calendar_months=calendar,
        ),
        envelope=envelope,
        totals=Totals(projects=prov.rows_before_limit),
        provenance=prov,
    )


def rank(engine: Engine, options: TopOptions, *, now: dt.datetime | None = None) -> Ranking:
    """Run the top-N query for the period on ``engine``."""
    return ranking_from_result(engine.run(top_query(options)), options, engine, now=now)


def staleness(engine: Engine, period: Period) -> str | None:
    """Why a count over ``period`` is partial, or None: the engine holds every day of it."""
    fresh = engine.freshness()
    if fresh is None:
        return "the engine holds no data"
    if fresh < period.end:
        return f"the data ends {fresh}, before the period ({period}) does"
    return None


def require_rows(r: Ranking, engine: Engine) -> Ranking:
    """A period without downloads is an error wherever a file would be written."""
    if len(r):
        return r
    fresh = engine.freshness()
    held = f"its data ends {fresh}" if fresh is not None else "it holds no data"
    label = r.period.label() if r.period is not None else "the period"
    raise NoData(f"no data for {label} in the {engine.name} engine ({held}); nothing written")


def nonempty(batches: Iterator[Batch], engine: Engine, period: Period) -> Iterator[Batch]:
    """The batches, then :class:`NoData` if there were none: a file is not written empty."""
    seen = False
    for batch in batches:
        seen = seen or bool(batch)
        yield batch
    if not seen:
        require_rows(Ranking((), (), utc_now(), period=period), engine)


def stream_ranking(engine: Engine, query: Query) -> Iterator[Batch]:
    """(count, project) batches, highest first; checks order and types as they pass."""
    batches: Iterator[list[tuple[Any, ...]]] = engine.stream(query, batch_rows=BATCH_ROWS)
    last: int | None = None
    for batch in batches:
        out: Batch = []
        for project, count in batch:
            if not isinstance(count, int) or not isinstance(project, str):
                raise EngineError(f"the engine returned a malformed row: {(project, count)!r}")
            if last is not None and count > last:
                raise EngineError("the engine returned the full list out of order")
            last = count
            out.append((count, project))
        yield out
