"""One Query -> SQL skeleton for every engine; dialects and relations fill in the hooks.

What every engine must agree on is decided here, once: the output columns and
their order, a missing value (``''`` or NULL) read as NULL, filters that never
match a missing value, the tie-break order (the grouping columns, ascending,
missing last), "no rows is no row" for an ungrouped total, and PEP 440 version
specifiers. What differs is a hook:

- a :class:`Dialect` writes functions, casts and placeholders
  (DuckDB, BigQuery, ClickHouse);
- its :class:`Binder` binds the user's values: positional parameters, named
  query parameters, or checked literals where the server has no parameters;
- a :class:`Relation` says how a field, the download count and the period
  are read from one table: raw events in BigQuery's ``file_downloads`` schema
  (DuckDB's store, BigQuery), or a table of summed counts (DuckDB's roll-ups,
  ClickPy's tables).

A version specifier is never SQL: the statement groups by version as well, and
:class:`Finish` keeps the versions ``packaging`` admits and sums the rest
away on the client. That is one pass (one billed job on BigQuery) and means
PEP 440 on every engine.
"""

from __future__ import annotations

import datetime as dt
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, Protocol, TypeVar

from toppypi.model.period import Period
from toppypi.model.query import Field, InstallerMode, Op, Query
from toppypi.model.result import Column, Value
from toppypi.model.versions import matching_versions

COUNT = "download_count"
WINDOW = "_rows_before_limit"
TimeUnit = Literal["day", "month", "year"]


# -- raw events: pypinfo's fields over BigQuery's file_downloads schema -----------------


class Shape(Enum):
    """How a raw column becomes a field value."""

    PLAIN = "plain"  # as stored (the project is never empty; ci is a boolean)
    TEXT = "text"  # a string; '' is missing
    MAJOR_MINOR = r"^([^.]+\.[^.]+)"  # "3.12.1" -> "3.12"
    OPENSSL = r"^OpenSSL ([^ ]+) "  # "OpenSSL 3.0.2 15 Mar 2022" -> "3.0.2"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


PY_MAJOR = r"^([^.]+)"  # for percent3 / percent2
_UNITS: dict[Shape, TimeUnit] = {Shape.DAY: "day", Shape.MONTH: "month", Shape.YEAR: "year"}

RAW_EVENTS: dict[Field, tuple[str, Shape]] = {
    Field.PROJECT: ("file.project", Shape.PLAIN),
    Field.VERSION: ("file.version", Shape.TEXT),
    Field.FILE: ("file.filename", Shape.TEXT),
    Field.PYVERSION: ("details.python", Shape.MAJOR_MINOR),
    Field.IMPL: ("details.implementation.name", Shape.TEXT),
    Field.IMPL_VERSION: ("details.implementation.version", Shape.MAJOR_MINOR),
    Field.OPENSSL: ("details.openssl_version", Shape.OPENSSL),
    Field.DATE: ("timestamp", Shape.DAY),
    Field.MONTH: ("timestamp", Shape.MONTH),
    Field.YEAR: ("timestamp", Shape.YEAR),
    Field.COUNTRY: ("country_code", Shape.TEXT),
    Field.INSTALLER: ("details.installer.name", Shape.TEXT),
    Field.INSTALLER_VERSION: ("details.installer.version", Shape.TEXT),
    Field.SETUPTOOLS_VERSION: ("details.setuptools_version", Shape.TEXT),
    Field.SYSTEM: ("details.system.name", Shape.TEXT),
    Field.SYSTEM_RELEASE: ("details.system.release", Shape.TEXT),
    Field.DISTRO: ("details.distro.name", Shape.TEXT),
    Field.DISTRO_VERSION: ("details.distro.version", Shape.TEXT),
    Field.CI: ("details.ci", Shape.PLAIN),
    Field.CPU: ("details.cpu", Shape.TEXT),
    Field.LIBC: ("details.distro.libc.lib", Shape.TEXT),
    Field.LIBC_VERSION: ("details.distro.libc.version", Shape.TEXT),
}


# -- the hooks ---------------------------------------------------------------------------


class Binder(ABC):
    """Binds one statement's values; ``params`` is what travels beside the SQL."""

    def __init__(self) -> None:
        self.params: list[Any] = []

    @abstractmethod
    def text(self, value: str) -> str:
        """A string value."""

    @abstractmethod
    def day(self, value: dt.date) -> str:
        """A ``DATE`` value."""

    @abstractmethod
    def instant(self, value: dt.datetime) -> str:
        """A UTC ``TIMESTAMP`` value (a day's first instant)."""

    @abstractmethod
    def one_of(self, expr: str, values: Sequence[str], *, negate: bool = False) -> str:
        """``expr [NOT] IN`` the values; an empty list matches nothing."""


class Dialect(ABC):
    """An SQL dialect's spelling of what the skeleton needs."""

    name: str
    ordinal_group_by = True  # GROUP BY 1, 2; else by the output names
    window_functions = True  # COUNT(*) OVER () gives the rows before LIMIT

    @abstractmethod
    def binder(self) -> Binder: ...

    @abstractmethod
    def column(self, path: str) -> str:
        """A (nested) column: ``file.project``."""

    def missing(self, expr: str) -> str:
        """``expr`` with ``''`` read as missing (NULL)."""
        return f"NULLIF({expr}, '')"

    @abstractmethod
    def regex(self, expr: str, pattern: str) -> str:
        """The first group of ``pattern`` in ``expr`` (missing or '' if no match)."""

    @abstractmethod
    def time_text(self, expr: str, unit: TimeUnit) -> str:
        """A date or timestamp as ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``."""

    def text(self, expr: str) -> str:
        """``expr`` as a string, to compare it with a text value."""
        return expr

    def integer(self, aggregate: str) -> str:
        """The count's aggregate, typed as a 64-bit integer."""
        return aggregate


class Relation(ABC):
    """One table in one dialect: how fields, downloads and the period are read."""

    def __init__(self, dialect: Dialect, name: str) -> None:
        self.dialect = dialect
        self.name = name

    @abstractmethod
    def field(self, fld: Field) -> str:
        """The expression for a field, missing values as NULL."""

    @abstractmethod
    def total(self, presummed: bool = False) -> str:
        """The downloads of a group."""

    @abstractmethod
    def period(self, period: Period, bind: Binder) -> str:
        """The condition that keeps the period's whole UTC days."""

    def excluding(self, fld: Field, values: Sequence[str], bind: Binder) -> str:
        """Rows whose field is missing or not one of ``values``."""
        expr = self.field(fld)
        return f"({expr} IS NULL OR {bind.one_of(expr, values, negate=True)})"

    def share(self, major: str, *, numerator: bool = False) -> str:
        """percent3/percent2: the share of downloads on Python ``major`` (raw events only)."""
        raise AssertionError(f"{self.name} cannot compute Python major shares")

    def presummed(self, query: Query) -> bool:
        """Whether the table already holds one row per group of ``query``."""
        return False


class RawEvents(Relation):
    """One row per download, in BigQuery's ``file_downloads`` schema."""

    def field(self, fld: Field) -> str:
        path, shape = RAW_EVENTS[fld]
        d = self.dialect
        col = d.column(path)
        if shape is Shape.PLAIN:
            return col
        if shape is Shape.TEXT:
            return d.missing(col)
        if shape in _UNITS:
            return d.time_text(col, _UNITS[shape])
        return d.missing(d.regex(col, str(shape.value)))

    def total(self, presummed: bool = False) -> str:
        return self.dialect.integer("COUNT(*)")

    def period(self, period: Period, bind: Binder) -> str:
        col = self.dialect.column("timestamp")
        start = dt.datetime.combine(period.start, dt.time(), dt.UTC)
        end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), dt.UTC)
        return f"{col} >= {bind.instant(start)} AND {col} < {bind.instant(end)}"

    def share(self, major: str, *, numerator: bool = False) -> str:
        d = self.dialect
        py = d.missing(d.regex(d.column("details.python"), PY_MAJOR))
        hits = f"SUM(CASE WHEN {py} = '{major}' THEN 1 ELSE 0 END)"
        # SUM(CASE ...) rather than COUNTIF: the same on every engine, 0 (not NULL) when
        # every value is missing.
        return hits if numerator else f"ROUND(100 * {hits} / COUNT(*), 1)"


class Summed(Relation):
    """A table of ``(grain, key columns..., count)`` rows: DuckDB's roll-ups, ClickPy's tables.

    ``stores_empty``: a missing value is stored as ``''`` (ClickPy), not NULL.
    ``merged``: one row per grain and key, so a single month needs no GROUP BY.
    """

    def __init__(
        self,
        dialect: Dialect,
        name: str,
        grain: str,
        columns: dict[Field, str],
        *,
        stores_empty: bool,
        merged: bool = False,
    ) -> None:
        super().__init__(dialect, name)
        self.grain = grain
        self.columns = columns
        self.stores_empty = stores_empty
        self.merged = merged

    def field(self, fld: Field) -> str:
        d = self.dialect
        units: dict[Field, TimeUnit] = {Field.DATE: "day", Field.MONTH: "month", Field.YEAR: "year"}
        if fld in units:
            return d.time_text(d.column(self.grain), units[fld])
        col = d.column(self.columns[fld])
        return d.missing(col) if self.stores_empty and fld is not Field.PROJECT else col

    def total(self, presummed: bool = False) -> str:
        return self.dialect.integer("count" if presummed else "SUM(count)")

    def period(self, period: Period, bind: Binder) -> str:
        col = self.dialect.column(self.grain)
        start, end = period.start, period.end
        if self.grain == "month":
            start, end = start.replace(day=1), end.replace(day=1)
            if start == end:
                return f"{col} = {bind.day(start)}"
        return f"{col} >= {bind.day(start)} AND {col} <= {bind.day(end)}"

    def excluding(self, fld: Field, values: Sequence[str], bind: Binder) -> str:
        if self.stores_empty:  # '' is not one of the values: missing rows are kept
            return bind.one_of(self.dialect.column(self.columns[fld]), values, negate=True)
        return super().excluding(fld, values, bind)

    def presummed(self, query: Query) -> bool:
        return (
            self.merged
            and self.grain == "month"
            and query.period.month is not None
            and set(query.group_fields) == set(self.columns)
        )


class Grained(Protocol):
    @property
    def grain(self) -> str: ...

    @property
    def covers(self) -> frozenset[Field]: ...


G = TypeVar("G", bound=Grained)


def smallest_covering(tables: Sequence[G], query: Query) -> G | None:
    """The first (smallest) table holding every field the query reads, at a grain that fits."""
    used = query.fields_used()
    for table in tables:
        if table.grain == "month" and not query.period.is_whole_months:
            continue
        if used <= table.covers:
            return table
    return None


# -- the skeleton ------------------------------------------------------------------------


def matches_on_client(query: Query) -> bool:
    """Every version specifier, even ``==X`` (PEP 440: ``==1.0`` admits ``1.0.0``)."""
    return query.specifier is not None


@dataclass
class Statement:
    """SQL, the values bound beside it, what it returns, and how that becomes the answer."""

    sql: str
    params: list[Any]
    columns: list[Column]  # what the SQL returns, in order
    finish: Finish
    relation: str = ""
    count_sql: str | None = None  # rows before LIMIT, where the statement cannot say
    count_params: list[Any] = field(default_factory=list)


def build(query: Query, rel: Relation, *, totals: bool = False) -> Statement:
    """The one SELECT that answers ``query`` from ``rel``; every user value is bound.

    ``totals`` adds ClickHouse's ``WITH TOTALS`` (a streamed reply then ends in
    a totals row that proves it arrived whole).
    """
    d = rel.dialect
    bind = d.binder()
    on_client = matches_on_client(query)
    group = query.group_fields
    extra = (Field.VERSION,) if on_client and Field.VERSION not in group else ()
    sql_group = (*group, *extra)
    presummed = not on_client and rel.presummed(query)
    window = not on_client and not presummed and d.window_functions and group == (Field.PROJECT,)

    select = [f"{rel.field(f)} AS {f.column}" for f in sql_group]
    columns = [Column(f.column, "String") for f in sql_group]
    select.append(f"{rel.total(presummed)} AS {COUNT}")
    columns.append(Column(COUNT, "Int64"))
    for f in query.dimensions:
        if f.is_percent:
            major = "3" if f is Field.PERCENT3 else "2"
            name = f"_n_{f.column}" if on_client else f.column
            select.append(f"{rel.share(major, numerator=on_client)} AS {name}")
            columns.append(Column(name, "Int64" if on_client else "Float64"))
    if window:
        select.append(f"COUNT(*) OVER () AS {WINDOW}")
        columns.append(Column(WINDOW, "UInt64"))

    where = [rel.period(query.period, bind), *_filters(query, rel, bind)]
    where_sql = " AND ".join(where)
    count_params = list(bind.params)
    sql = f"SELECT {', '.join(select)}\nFROM {rel.name}\nWHERE {where_sql}"
    if sql_group and not presummed:
        keys = range(1, len(sql_group) + 1) if d.ordinal_group_by else [f.column for f in sql_group]
        sql += f"\nGROUP BY {', '.join(map(str, keys))}"
        sql += " WITH TOTALS" if totals else ""
    elif not sql_group:
        sql += "\nHAVING COUNT(*) > 0"  # an ungrouped total over no rows is no row, everywhere
    if not on_client:
        sql += f"\nORDER BY {', '.join(order_by(query))}"
        if query.limit:
            sql += f"\nLIMIT {int(query.limit)}"
    count_sql = None
    if presummed:
        count_sql = f"SELECT COUNT(*) FROM {rel.name} WHERE {where_sql}"  # noqa: S608
    finish = Finish(query, tuple(c.name for c in columns))
    return Statement(sql, bind.params, columns, finish, rel.name, count_sql, count_params)


def _filters(query: Query, rel: Relation, bind: Binder) -> list[str]:
    out = []
    if query.project is not None:
        out.append(f"{rel.field(Field.PROJECT)} = {bind.text(query.project)}")
    inst = query.installers
    if inst.mode is InstallerMode.ONLY:
        out.append(bind.one_of(rel.field(Field.INSTALLER), inst.names))
    elif inst.mode is InstallerMode.NO_MIRRORS:
        out.append(rel.excluding(Field.INSTALLER, inst.names, bind))
    for cond in query.where:
        # A missing value is NULL, and NULL matches no condition (SQL's logic, BigQuery's too).
        left = rel.dialect.text(rel.field(cond.field))
        if cond.op is Op.IN:
            out.append(bind.one_of(left, cond.values))
        else:
            out.append(f"{left} {cond.op.value} {bind.text(cond.values[0])}")
    return out


def order_by(query: Query) -> list[str]:
    """``-o`` field (or the count) descending, then the count, then the groups ascending."""
    first = f"{query.order.column} DESC NULLS LAST" if query.order is not None else f"{COUNT} DESC"
    then = [] if query.order is None else [f"{COUNT} DESC"]
    ties = [f"{f.column} ASC NULLS LAST" for f in query.group_fields if f is not query.order]
    return [first, *then, *ties]


def output_columns(query: Query) -> list[Column]:
    """The answer's columns: the group fields, the count, the percent fields."""
    cols = [Column(f.column, "String") for f in query.group_fields]
    cols.append(Column(COUNT, "Int64"))
    cols += [Column(f.column, "Float64") for f in query.dimensions if f.is_percent]
    return cols


Row = tuple[Value, ...]


@dataclass(frozen=True)
class Finished:
    rows: list[Row]
    rows_before_limit: int | None  # None: the statement did not say


@dataclass(frozen=True)
class Finish:
    """Turns the statement's rows into the query's: the one place rows are post-processed."""

    query: Query
    names: tuple[str, ...]  # the statement's columns

    @property
    def on_client(self) -> bool:
        return matches_on_client(self.query)

    def __call__(self, rows: Sequence[Row]) -> Finished:
        if self.on_client:
            return self._match(rows)
        if self.names and self.names[-1] == WINDOW:
            before = rows[0][-1] if rows else 0
            return Finished([r[:-1] for r in rows], int(before) if isinstance(before, int) else 0)
        return Finished(list(rows), None)

    def batch(self, rows: Sequence[Row]) -> list[Row]:
        """A streamed batch (never used when versions are matched on the client)."""
        if self.names and self.names[-1] == WINDOW:
            return [r[:-1] for r in rows]
        return list(rows)

    def _match(self, rows: Sequence[Row]) -> Finished:
        """Keep the versions the specifier admits; sum the others away; order; limit."""
        q = self.query
        spec = q.specifier
        assert spec is not None
        at = {name: i for i, name in enumerate(self.names)}
        vi = at[Field.VERSION.column]
        admitted = set(matching_versions({_text(r[vi]) for r in rows}, spec))
        keys = [at[f.column] for f in q.group_fields]
        sums = [at[COUNT], *(at[f"_n_{f.column}"] for f in q.dimensions if f.is_percent)]
        groups: dict[Row, list[int]] = {}
        for r in rows:
            if _text(r[vi]) in admitted:
                acc = groups.setdefault(tuple(r[i] for i in keys), [0] * len(sums))
                for j, i in enumerate(sums):
                    acc[j] += int(r[i] or 0)
        out: list[Row] = []
        for key, (count, *hits) in groups.items():
            shares = [round_half_away(100 * h / count) if count else 0.0 for h in hits]
            out.append((*key, count, *shares))
        sort_rows(out, q)
        before = len(out)
        return Finished(out[: q.limit] if q.limit else out, before)


def _text(value: Value) -> str | None:
    return value if isinstance(value, str) else None


def round_half_away(value: float, digits: int = 1) -> float:
    """SQL's ``ROUND(x, 1)`` on a double: half away from zero, of ``x * 10`` as computed."""
    scale = 10.0**digits
    scaled = value * scale
    whole = math.floor(abs(scaled))
    if abs(scaled) - whole >= 0.5:
        whole += 1
    return math.copysign(whole, scaled) / scale


def sort_rows(rows: list[Row], query: Query) -> None:
    """The order :func:`order_by` gives in SQL, in place (stable sorts, last key first)."""
    cols = [c.name for c in output_columns(query)]

    def by(name: str, missing: int) -> Callable[[Row], tuple[Any, ...]]:
        i = cols.index(name)
        return lambda r: (missing,) if r[i] is None else (1 - missing, r[i])

    for f in reversed(query.group_fields):
        if f is not query.order:
            rows.sort(key=by(f.column, 1))  # ascending, missing last
    rows.sort(key=by(COUNT, 0), reverse=True)
    if query.order is not None:
        rows.sort(key=by(query.order.column, 0), reverse=True)  # descending, missing last
