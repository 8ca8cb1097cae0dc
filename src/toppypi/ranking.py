"""Top-N rankings: a query to an engine, turned into a :class:`Snapshot`."""

from __future__ import annotations

import datetime as dt

from toppypi.engines.interface import Engine
from toppypi.engines.registry import display_name
from toppypi.errors import EngineError
from toppypi.model.period import Period, utc_now
from toppypi.model.query import DEFAULT_LIMIT, Field, InstallerFilter, Query
from toppypi.model.result import Result
from toppypi.model.snapshot import Row, Snapshot


def top_query(
    period: Period, *, limit: int | None = DEFAULT_LIMIT, installers: InstallerFilter | None = None
) -> Query:
    return Query(
        period=period,
        dimensions=(Field.PROJECT,),
        installers=installers or InstallerFilter(),
        limit=limit,
    )


def snapshot_from_result(
    result: Result, query: Query, *, now: dt.datetime | None = None
) -> Snapshot:
    """The ranking in a result, with the provenance dumps publish."""
    try:
        ci = result.column_index("download_count")
        pi = result.column_index("project")
    except KeyError as exc:
        raise EngineError(f"the engine returned no {exc.args[0]!r} column") from None
    rows = []
    for r in result.rows:
        count, project = r[ci], r[pi]
        if not isinstance(count, int) or not isinstance(project, str):
            raise EngineError(f"the engine returned a malformed row: {r!r}")
        rows.append(Row(count, project))
    prov = result.provenance
    stamp = (now or utc_now()).replace(microsecond=0, tzinfo=None)
    by_name = {c.name: c.type for c in result.columns}
    snap = Snapshot(
        rows=rows,
        last_update=stamp,
        source=display_name(prov.engine),
        period=query.period,
        window_days=query.period.days,
        meta=[
            {"name": "download_count", "type": by_name["download_count"]},
            {"name": "project", "type": by_name["project"]},
        ],
        total_rows=len(rows),
        rows_before_limit_at_least=(
            prov.rows_before_limit if prov.rows_before_limit is not None else len(rows)
        ),
        statistics=prov.extra.get("statistics")
        or {
            "elapsed": round(prov.elapsed, 9),
            "rows_read": prov.rows_read or 0,
            "bytes_read": prov.bytes_read or 0,
        },
        engine=prov.engine,
        installers=str(query.installers),
    )
    if prov.bytes_processed is not None:
        snap.query = {
            "bytes_billed": prov.bytes_billed or 0,
            "bytes_processed": prov.bytes_processed,
            "cached": prov.cached,
            "estimated_cost": f"{prov.estimated_cost or 0:.2f}",
        }
    return snap


def top(
    engine: Engine,
    period: Period,
    *,
    limit: int | None = DEFAULT_LIMIT,
    installers: InstallerFilter | None = None,
    now: dt.datetime | None = None,
) -> Snapshot:
    """Run the top-N query for ``period`` on ``engine``."""
    query = top_query(period, limit=limit, installers=installers)
    return snapshot_from_result(engine.run(query), query, now=now)
