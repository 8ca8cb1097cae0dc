"""The embedded engine: plans a query onto a roll-up or the raw events."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toppypi.engines.duckdb import store
from toppypi.engines.duckdb.capabilities import CAPABILITIES
from toppypi.engines.duckdb.fields import RAW_FIELDS, RAW_PY_MAJOR
from toppypi.engines.duckdb.rollups import ROLLUPS, Rollup
from toppypi.engines.interface import Estimate
from toppypi.errors import UsageError
from toppypi.model.query import Field, InstallerMode, Op, Query
from toppypi.model.result import Column, Provenance, Result, Value
from toppypi.model.versions import matching_versions

if TYPE_CHECKING:
    import duckdb


@dataclass
class Plan:
    """SQL with its bound parameters, and the relation it reads."""

    sql: str
    params: list[Any] = field(default_factory=list)
    relation: str = ""
    columns: list[Column] = field(default_factory=list)
    count_sql: str | None = None  # rows before LIMIT, where the main query cannot say
    count_params: list[Any] = field(default_factory=list)


class DuckDBEngine:
    name = "duckdb"
    capabilities = CAPABILITIES

    def __init__(self, db: Path) -> None:
        self.db = db
        self._con: duckdb.DuckDBPyConnection | None = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = store.connect(self.db, read_only=True)
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    # planning -----------------------------------------------------------

    def choose_rollup(self, query: Query) -> Rollup | None:
        used = query.fields_used()
        if any(f.is_percent for f in used):
            return None
        for rollup in ROLLUPS:
            if rollup.grain == "month" and not query.period.is_whole_months:
                continue
            if used <= rollup.covers:
                return rollup
        return None

    def plan(self, query: Query, versions: list[str] | None = None) -> Plan:
        """The SQL for ``query``; ``versions`` is the list a specifier admits (bound at run)."""
        self.capabilities.check(query)
        rollup = self.choose_rollup(query)
        if rollup is not None:
            return _build(query, _RollupSource(rollup), versions)
        return _build(query, _RawSource(self._raw()), versions)

    def _raw(self) -> str:
        raw = store.raw_relation(self.con, self.db)
        if raw is None:
            raise UsageError(f"the store {self.db} holds no events; run `toppypi ingest` first")
        return raw

    def matching_versions(self, query: Query) -> list[str]:
        """The project's versions downloaded in the period that the specifier admits.

        PEP 440 (``==1.*``, ``~=1.4``, ``>=2,<3``, ``==1.23rc3`` matching ``1.23.0rc3``)
        is evaluated by ``packaging``, never by SQL patterns.
        """
        spec = query.specifier
        if spec is None:
            return []
        if query.project is None:
            raise UsageError("a version specifier needs a project, e.g. 'pip==21.*'")
        src = _RawSource(self._raw())
        where, params = src.period_where(query)
        version = src.expr(Field.VERSION)
        sql = (
            f"SELECT DISTINCT {version} FROM {src.relation} "  # noqa: S608 - our expressions
            f"WHERE {where} AND {src.expr(Field.PROJECT)} = ?"
        )
        listed = self.con.execute(sql, [*params, query.project]).fetchall()
        return matching_versions((r[0] for r in listed), spec)

    def sql(self, query: Query) -> str:
        return self.plan(query).sql

    # running ------------------------------------------------------------

    def run(self, query: Query) -> Result:
        t0 = time.perf_counter()
        versions = self.matching_versions(query) if query.version is not None else None
        plan = self.plan(query, versions)
        cur = self.con.execute(plan.sql, plan.params)
        rows: list[tuple[Value, ...]] = [tuple(r) for r in cur.fetchall()]
        elapsed = time.perf_counter() - t0
        prov = Provenance(
            engine=self.name, sql=plan.sql, elapsed=elapsed, freshness=self.freshness()
        )
        columns = plan.columns
        if columns and columns[-1].name == "_rows_before_limit":
            prov.rows_before_limit = int(rows[0][-1]) if rows else 0  # type: ignore[arg-type]
            rows = [r[:-1] for r in rows]
            columns = columns[:-1]
        if plan.count_sql is not None:
            row = self.con.execute(plan.count_sql, plan.count_params).fetchone()
            prov.rows_before_limit = int(row[0]) if row else 0
        prov.rows_read = prov.rows_before_limit
        return Result(columns=columns, rows=rows, provenance=prov)

    def stream(
        self, query: Query, *, batch_rows: int = 50_000
    ) -> Iterator[list[tuple[Value, ...]]]:
        """``run``'s rows in batches, fetched from the cursor as they are needed."""
        versions = self.matching_versions(query) if query.version is not None else None
        plan = self.plan(query, versions)
        cur = self.con.cursor()
        try:
            cur.execute(plan.sql, plan.params)
            drop = bool(plan.columns) and plan.columns[-1].name == "_rows_before_limit"
            while batch := cur.fetchmany(batch_rows):
                yield [tuple(r[:-1]) if drop else tuple(r) for r in batch]
        finally:
            cur.close()

    def freshness(self) -> dt.date | None:
        row = self.con.execute("SELECT MAX(last_day) FROM ingested_files").fetchone()
        return row[0] if row else None

    def estimate(self, query: Query) -> Estimate | None:
        return None


class _RollupSource:
    def __init__(self, rollup: Rollup) -> None:
        self.rollup = rollup
        self.count = "count"
        self.relation = rollup.table

    def expr(self, fld: Field) -> str:
        grain = self.rollup.grain
        if fld is Field.DATE:
            return f"strftime({grain}, '%Y-%m-%d')"
        if fld is Field.MONTH:
            return f"strftime({grain}, '%Y-%m')"
        if fld is Field.YEAR:
            return f"strftime({grain}, '%Y')"
        return self.rollup.column(fld)

    def presummed(self, query: Query) -> bool:
        """One row per group already: a single month grouped by exactly the key."""
        return (
            self.rollup.grain == "month"
            and query.period.month is not None
            and set(query.group_fields) == set(self.rollup.fields)
        )

    def period_where(self, query: Query) -> tuple[str, list[Any]]:
        p = query.period
        col = self.rollup.grain
        start = p.start.replace(day=1) if col == "month" else p.start
        return f"{col} BETWEEN ? AND ?", [start, p.end]


class _RawSource:
    def __init__(self, relation: str) -> None:
        self.relation = relation
        self.count = "1"

    def expr(self, fld: Field) -> str:
        return RAW_FIELDS[fld]

    def period_where(self, query: Query) -> tuple[str, list[Any]]:
        p = query.period
        start = dt.datetime.combine(p.start, dt.time(), dt.UTC)
        end = dt.datetime.combine(p.end + dt.timedelta(days=1), dt.time(), dt.UTC)
        return '"timestamp" >= ? AND "timestamp" < ?', [start, end]


_Source = _RollupSource | _RawSource


def _percent(src: _Source, major: str) -> str:
    if isinstance(src, _RollupSource):
        raise AssertionError("percent fields are planned on raw events")
    return f"ROUND(100 * SUM(CASE WHEN {RAW_PY_MAJOR} = '{major}' THEN 1 ELSE 0 END) / COUNT(*), 1)"


# With no group, an aggregate over no rows would still be one row (NULL or 0,
# depending on the engine): every engine says "no data" as no row instead.
NO_ROWS_NO_ROW = "HAVING COUNT(*) > 0"


def _build(query: Query, src: _Source, versions: list[str] | None = None) -> Plan:
    """One SELECT over ``src``; every user value is a bound parameter.

    A missing value never matches a condition, as in BigQuery: ``country!=US``
    keeps the rows whose country is known and is not US (SQL's NULL logic).
    """
    select: list[str] = []
    columns: list[Column] = []
    for fld in query.dimensions:
        if fld.is_percent:
            continue
        select.append(f'{src.expr(fld)} AS "{fld.column}"')
        columns.append(Column(fld.column, "String"))
    presummed = isinstance(src, _RollupSource) and src.presummed(query)
    total = src.count if presummed else f"SUM({src.count})"
    select.append(f"{total}::BIGINT AS download_count")
    columns.append(Column("download_count", "Int64"))
    for fld in query.dimensions:
        if fld.is_percent:
            select.append(
                f'{_percent(src, "3" if fld is Field.PERCENT3 else "2")} AS "{fld.column}"'
            )
            columns.append(Column(fld.column, "Float64"))

    where, params = src.period_where(query)
    clauses = [where]
    if query.project is not None:
        clauses.append(f"{src.expr(Field.PROJECT)} = ?")
        params.append(query.project)
    if query.version is not None:
        # The matching versions, listed by ``matching_versions``, bound as one list.
        clauses.append(f"list_contains(CAST(? AS VARCHAR[]), {src.expr(Field.VERSION)})")
        params.append(list(versions or []))
    inst = query.installers
    if inst.mode is InstallerMode.ONLY:
        clauses.append(f"{src.expr(Field.INSTALLER)} IN ({', '.join('?' * len(inst.names))})")
        params.extend(inst.names)
    elif inst.mode is InstallerMode.NO_MIRRORS:
        col = src.expr(Field.INSTALLER)
        clauses.append(f"({col} IS NULL OR {col} NOT IN ({', '.join('?' * len(inst.names))}))")
        params.extend(inst.names)
    for cond in query.where:
        col = f"CAST({src.expr(cond.field)} AS VARCHAR)"
        if cond.op is Op.IN:
            clauses.append(f"{col} IN ({', '.join('?' * len(cond.values))})")
        else:
            clauses.append(f"{col} {cond.op.value} ?")
        params.extend(cond.values)

    group = query.group_fields
    where_sql = " AND ".join(clauses)
    count_sql = None
    if presummed:
        count_sql = f"SELECT COUNT(*) FROM {src.relation} WHERE {where_sql}"  # noqa: S608
    elif group == (Field.PROJECT,):
        select.append("COUNT(*) OVER () AS _rows_before_limit")
        columns.append(Column("_rows_before_limit", "UInt64"))
    order_first = (
        f'"{query.order.column}" DESC' if query.order is not None else "download_count DESC"
    )
    ties = [f'"{f.column}"' for f in group if f is not query.order]
    order = ", ".join(
        [order_first, *([] if query.order is None else ["download_count DESC"]), *ties]
    )
    count_params = list(params)
    sql = f"SELECT {', '.join(select)}\nFROM {src.relation}\nWHERE {where_sql}"
    if group and not presummed:
        sql += f"\nGROUP BY {', '.join(str(i + 1) for i in range(len(group)))}"
    elif not group:
        sql += f"\n{NO_ROWS_NO_ROW}"
    sql += f"\nORDER BY {order}"
    if query.limit:
        sql += "\nLIMIT ?"
        params.append(query.limit)
    return Plan(sql, params, src.relation, columns, count_sql, count_params)


def open_engine(spec: str, *, db: str | Path | None = None, **options: Any) -> DuckDBEngine:
    """``duckdb`` or ``duckdb:PATH``; ``--db`` and ``$TOPPYPI_DB`` also name the store."""
    in_spec = spec.partition(":")[2]
    chosen = Path(in_spec) if in_spec else Path(db) if db else store.default_db_path()
    return DuckDBEngine(chosen)
