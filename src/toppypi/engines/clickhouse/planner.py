"""From a :class:`Query` to ClickHouse SQL over the smallest ClickPy table.

Every value a user gave reaches the SQL through :mod:`.sql` literals. Rows
must equal the DuckDB engine's, so missing values (``''`` in ClickPy) are read
as NULL, and ties are ordered by the group fields ascending, as there.
"""

from __future__ import annotations

from dataclasses import dataclass

from toppypi.engines.clickhouse import sql
from toppypi.engines.clickhouse.tables import MONTH_TABLE, Table, choose_table
from toppypi.errors import UnsupportedQuery
from toppypi.model.query import Field, InstallerMode, Op, Query

TOTALS = " WITH TOTALS"


@dataclass(frozen=True)
class Plan:
    """The SQL to send, the table it reads, and the output columns in order."""

    sql: str
    table: Table
    names: tuple[str, ...]
    anchor: bool = False  # the anchor's exact top-N query


def table_for(query: Query) -> Table:
    table = choose_table(query.fields_used(), query.period.is_whole_months)
    if table is None:
        from toppypi.engines.registry import capabilities_of, engine_names

        used = query.fields_used()
        fields = ", ".join(sorted(f.value for f in used))
        others = [
            name
            for name in engine_names()
            if name != "clickhouse"
            and (caps := capabilities_of(name)) is not None
            and used <= caps.dimensions & caps.filters
        ]
        hint = f"; use --source {' or '.join(others)}" if others else ""
        raise UnsupportedQuery(f"no ClickPy table holds all of {fields} together{hint}")
    return table


def expr(table: Table, fld: Field) -> str:
    """The ClickHouse expression for a pypinfo field, with DuckDB's meaning."""
    if fld is Field.DATE:
        return f"toString({table.grain})"
    if fld is Field.MONTH:
        return f"formatDateTime({table.grain}, '%Y-%m')"
    if fld is Field.YEAR:
        return f"toString(toYear({table.grain}))"
    col = sql.ident(table.column(fld))
    return col if fld is Field.PROJECT else f"nullIf({col}, '')"


def period_where(table: Table, query: Query) -> str:
    p = query.period
    start, end = p.start, p.end
    if table.grain == "month":
        start, end = start.replace(day=1), end.replace(day=1)
        if start == end:
            return f"month = {sql.date(start)}"
    return f"{table.grain} >= {sql.date(start)} AND {table.grain} <= {sql.date(end)}"


def is_anchor(query: Query) -> bool:
    """A plain top-N over whole months with every installer: the anchor's query."""
    return (
        query.group_fields == (Field.PROJECT,)
        and query.dimensions == (Field.PROJECT,)
        and query.project is None
        and query.version is None
        and not query.where
        and query.installers.is_all
        and query.order is None
        and query.period.is_whole_months
    )


def anchor_sql(query: Query, database: str, *, totals: bool = False) -> str:
    """The anchor's query, plus a ``project ASC`` tie-break so reruns agree."""
    where = period_where(MONTH_TABLE, query)
    out = (
        f"SELECT SUM(count) AS download_count, project "  # noqa: S608
        f"FROM {sql.ident(database)}.{MONTH_TABLE.name}\n"
        f"WHERE {where} GROUP BY project{TOTALS if totals else ''} "
        f"ORDER BY download_count DESC, project ASC"
    )
    if query.limit:
        out += f" LIMIT {sql.integer(query.limit)}"
    return out


def version_list_sql(query: Query, database: str) -> str:
    """The versions a specifier is matched against, in the period and project."""
    table = table_for(query)
    clauses = [period_where(table, query)]
    if query.project is not None:
        clauses.append(f"project = {sql.string(query.project)}")
    return (
        f"SELECT DISTINCT version FROM {sql.ident(database)}.{table.name} "  # noqa: S608
        f"WHERE {' AND '.join(clauses)}"
    )


def needs_version_list(query: Query) -> bool:
    """Every specifier, even ``==X`` (PEP 440: ``==1.0`` admits ``1.0.0``)."""
    return query.specifier is not None


def build(
    query: Query, database: str, versions: list[str] | None = None, *, totals: bool = False
) -> Plan:
    """One SELECT; ``versions`` are the matches of the version specifier.

    ``totals`` adds ``WITH TOTALS``: a streamed reply then ends in a totals row,
    which proves it arrived whole.
    """
    if is_anchor(query):
        text = anchor_sql(query, database, totals=totals)
        return Plan(text, MONTH_TABLE, ("download_count", "project"), anchor=True)
    table = table_for(query)
    group = query.group_fields
    select = [f"{expr(table, f)} AS {f.column}" for f in group]
    select.append("sum(count) AS download_count")
    names = (*(f.column for f in group), "download_count")

    clauses = [period_where(table, query)]
    if query.project is not None:
        clauses.append(f"project = {sql.string(query.project)}")
    spec = query.specifier
    if spec is not None:
        chosen = versions
        if chosen is None:
            raise AssertionError("a version specifier needs the version list first")
        version = sql.ident(table.column(Field.VERSION))
        clauses.append(f"{version} IN {sql.strings(chosen)}" if chosen else "0")
    inst = query.installers
    if inst.mode is InstallerMode.ONLY:
        clauses.append(f"{expr(table, Field.INSTALLER)} IN {sql.strings(inst.names)}")
    elif inst.mode is InstallerMode.NO_MIRRORS:
        column = sql.ident(table.column(Field.INSTALLER))
        clauses.append(f"{column} NOT IN {sql.strings(inst.names)}")
    for cond in query.where:
        left = expr(table, cond.field)
        if cond.op is Op.IN:
            clauses.append(f"{left} IN {sql.strings(cond.values)}")
        else:
            clauses.append(f"{left} {cond.op.value} {sql.string(cond.values[0])}")

    order = [f"{query.order.column} DESC" if query.order is not None else "download_count DESC"]
    if query.order is not None:
        order.append("download_count DESC")
    order += [f"{f.column} ASC" for f in group if f is not query.order]
    text = (
        f"SELECT {', '.join(select)}\n"  # every value is a checked literal
        f"FROM {sql.ident(database)}.{table.name}\n"
        f"WHERE {' AND '.join(clauses)}"
    )
    if group:
        # By alias: ClickHouse substitutes aliases inside expressions, so repeating
        # ``nullIf(version, '')`` under the alias ``version`` would not match.
        text += f"\nGROUP BY {', '.join(f.column for f in group)}"
        text += TOTALS if totals else ""
    else:
        text += "\nHAVING count() > 0"  # no rows is no row, as on every engine
    text += f"\nORDER BY {', '.join(order)}"
    if query.limit:
        text += f"\nLIMIT {sql.integer(query.limit)}"
    return Plan(text, table, names)
