"""The typed library call behind ``toppypi query``: pypinfo's query language.

``run_query("django", ["pyversion"], days=30)`` answers what ``pypinfo django
pyversion`` answers, on any engine, and returns data (rows plus provenance);
formatting is the CLI's job. Exported as ``toppypi.run_query`` because the name
``toppypi.model.query`` is the domain-model module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, Unpack

from toppypi.errors import QueryError
from toppypi.model.period import PYPINFO_OPTIONS, resolve_period
from toppypi.model.query import (
    PIP_ONLY,
    Condition,
    Field,
    InstallerFilter,
    Query,
    normalize_project,
    parse_where,
)
from toppypi.model.result import Provenance, Value

if TYPE_CHECKING:
    from toppypi.engines.interface import Engine, Estimate
    from toppypi.engines.options import EngineOptions
    from toppypi.engines.registry import OnEstimate

DEFAULT_LIMIT = 10  # pypinfo's
DEFAULT_DAYS = 30  # pypinfo's default window: the last 30 days, ending yesterday
COUNT = "download_count"
PERCENT = "percent"


@dataclass(frozen=True)
class QueryResult:
    """Rows in pypinfo's column order, with where they came from.

    Columns are the fields' pypinfo names in the order asked, then ``percent``
    (with ``percent=True``: the row's share of the rows returned, a fraction
    from 0 to 1, as pypinfo computes it), then ``download_count``. Values keep
    their types: counts are ints, versions and dates strings, ci a bool, and a
    missing value is None.
    """

    query: Query
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    provenance: Provenance

    @property
    def total(self) -> int:
        """Downloads summed over the rows returned (pypinfo's ``Total`` row)."""
        i = self.columns.index(COUNT)
        return sum(int(r[i] or 0) for r in self.rows)

    def dicts(self) -> list[dict[str, Value]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


def parse_project(text: str | None) -> tuple[str | None, str | None]:
    """``PROJECT`` as pypinfo takes it: a PEP 508 name with an optional PEP 440 specifier.

    ``""`` (or None) means every project. Returns the normalised name and the
    specifier text (None when there is none). Extras, markers and URLs are refused.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    if text is None or not text.strip():
        return None, None
    try:
        req = Requirement(text)
    except InvalidRequirement:
        raise QueryError(
            f"{text!r} is not a project name with an optional version specifier "
            "(PEP 508), e.g. django, 'pip==21.*', 'numpy>=2,<3', 'attrs~=23.1'"
        ) from None
    if req.extras or req.marker is not None or req.url:
        raise QueryError(f"{text!r}: give a project name and version specifier only")
    spec = str(req.specifier)
    return normalize_project(req.name), spec or None


def parse_fields(names: Sequence[str | Field]) -> tuple[Field, ...]:
    """Field names, duplicates dropped keeping the first, as pypinfo does."""
    out = [n if isinstance(n, Field) else Field.parse(n) for n in names]
    return tuple(dict.fromkeys(out))


def parse_order(order: str | Field | None) -> Field | None:
    """``-o``: a field (pypinfo puts it first and sorts by it, descending) or download_count."""
    if order is None or isinstance(order, Field):
        return order
    key = order.strip().lower()
    if key in ("", COUNT):
        return None
    by_column = {f.column: f for f in Field}
    if key in by_column:
        return by_column[key]
    try:
        return Field.parse(key)
    except QueryError:
        raise QueryError(f"cannot order by {order!r}; use download_count or a field name") from None


class QueryArgs(TypedDict, total=False):
    """pypinfo's period, filter and shape arguments, as :func:`build_query` takes them."""

    days: int | None
    start_date: str | dt.date | None
    end_date: str | dt.date | None
    month: str | None
    where: str | Sequence[Condition] | None
    order: str | Field | None
    limit: int | None  # default 10 (pypinfo's); 0 or None: every row
    all_installers: bool
    today: dt.date | None


def build_query(
    project: str | None = None, fields: Sequence[str | Field] = (), **args: Unpack[QueryArgs]
) -> Query:
    """The engine-independent :class:`Query` pypinfo's arguments describe; runs nothing."""
    name, spec = parse_project(project)
    dims = list(parse_fields(fields))
    order_field = parse_order(args.get("order"))
    where = args.get("where")
    limit = args.get("limit", DEFAULT_LIMIT)
    if order_field is not None:  # pypinfo: the order field becomes the first column
        dims = [order_field, *(d for d in dims if d is not order_field)]
    conditions = parse_where(where) if isinstance(where, str) else tuple(where or ())
    if limit is not None and limit < 0:
        raise QueryError(f"--limit must be 0 (no limit) or more, not {limit}")
    period = resolve_period(
        month=args.get("month"),
        days=args.get("days"),
        start=args.get("start_date"),
        end=args.get("end_date"),
        today=args.get("today"),
        default_days=DEFAULT_DAYS,
        names=PYPINFO_OPTIONS,
    )
    return Query(
        period=period,
        dimensions=tuple(dims),
        project=name,
        version=spec,
        installers=InstallerFilter() if args.get("all_installers") else PIP_ONLY,
        where=conditions,
        order=order_field,
        limit=limit or None,
    )


def open_for(
    query: Query,
    source: str = "duckdb",
    options: EngineOptions | None = None,
    *,
    on_estimate: OnEstimate | None = None,
) -> Engine:
    """Open the engine ``source`` names, refusing first (offline) what it cannot answer."""
    from toppypi.engines.catalog import check
    from toppypi.engines.registry import describe, open_engine

    check(describe(source), query)  # before any connection: no network for a refused query
    return open_engine(source, options, on_estimate=on_estimate)


def query_sql(query: Query, source: str = "duckdb", options: EngineOptions | None = None) -> str:
    """The SQL the engine would run (``--test``); nothing is executed."""
    with open_for(query, source, options) as engine:
        return engine.sql(query)


def estimate(
    query: Query, source: str = "duckdb", options: EngineOptions | None = None
) -> Estimate | None:
    """The engine's priced dry run, or None where it cannot price a query (``--dry-run``)."""
    with open_for(query, source, options) as engine:
        return engine.estimate(query)


def execute(
    query: Query,
    *,
    source: str = "duckdb",
    options: EngineOptions | None = None,
    percent: bool = False,
    engine: Engine | None = None,
) -> QueryResult:
    """Run ``query`` and shape the rows as pypinfo does; ``engine`` reuses an open one."""
    own = engine is None
    eng = open_for(query, source, options) if engine is None else engine
    try:
        result = eng.run(query)
    finally:
        if own:
            eng.close()
    names = [c.name for c in result.columns]
    wanted = [d.column for d in query.dimensions]
    missing = [n for n in [*wanted, COUNT] if n not in names]
    if missing:
        from toppypi.errors import EngineError

        raise EngineError(f"the {eng.name} engine returned no column {missing[0]!r}")
    idx = [names.index(n) for n in wanted]
    ci = names.index(COUNT)
    # A count of NULL is SUM over nothing (no GROUP BY): no data, not a row.
    rows = [(*(r[i] for i in idx), r[ci]) for r in result.rows if r[ci] is not None]
    columns = [*wanted, COUNT]
    if percent:
        total = sum(int(r[-1] or 0) for r in rows)
        rows = [(*r[:-1], round(int(r[-1] or 0) / total, 6) if total else 0.0, r[-1]) for r in rows]
        columns.insert(-1, PERCENT)
    prov = result.provenance
    if eng.capabilities.free:
        prov.bytes_billed = 0 if prov.bytes_billed is None else prov.bytes_billed
        prov.estimated_cost = 0.0 if prov.estimated_cost is None else prov.estimated_cost
    return QueryResult(query=query, columns=tuple(columns), rows=tuple(rows), provenance=prov)


def query(
    project: str | None = None,
    fields: Sequence[str | Field] = (),
    *,
    source: str = "duckdb",
    options: EngineOptions | None = None,
    percent: bool = False,
    **args: Unpack[QueryArgs],
) -> QueryResult:
    """pypinfo's query on any engine: ``query("django", ["pyversion"], days=30)``.

    ``project`` is a name with an optional PEP 440 specifier (``"pip==21.*"``) or
    ``""`` for every project; ``fields`` are pypinfo's field names; ``where`` is
    ``field=value``, ``field!=value`` or ``field IN a,b`` joined by AND (a missing
    value matches no condition, as on BigQuery); pip downloads only unless
    ``all_installers``; ``limit`` 0 or None means every row; ``today`` fixes the
    clock for relative periods; ``options`` are the engine's (``DuckDBOptions(db=...)``).
    """
    q = build_query(project, fields, **args)
    return execute(q, source=source, options=options, percent=percent)
