"""From a :class:`Query` to ClickHouse SQL over the smallest ClickPy table.

The statement is the compiler's (rows equal DuckDB's: ``''`` read as NULL,
ties by the group fields); the planner only picks the table, and keeps the
anchor's own text for the plain top-N so that a month is asked exactly as the
anchor dataset asks it.
"""

from __future__ import annotations

from toppypi.engines import compiler
from toppypi.engines.clickhouse import sql
from toppypi.engines.clickhouse.dialect import CLICKHOUSE
from toppypi.engines.clickhouse.tables import MONTH_TABLE, TABLES, Table
from toppypi.engines.compiler import Finish, Statement, Summed
from toppypi.model.query import Field, Query
from toppypi.model.result import Column


def table_for(query: Query) -> Table:
    """The smallest table that covers the query (the capabilities were checked first)."""
    table = compiler.smallest_covering(TABLES, query)
    if table is None:
        raise AssertionError(f"no ClickPy table covers {sorted(query.fields_used())}")
    return table


def relation(table: Table, database: str) -> Summed:
    """A ClickPy table: summed counts, ``''`` for missing, parts not necessarily merged."""
    name = f"{sql.ident(database)}.{sql.ident(table.name)}"
    return Summed(CLICKHOUSE, name, table.grain, dict(table.columns), stores_empty=True)


def is_anchor(query: Query) -> bool:
    """A plain top-N over whole months with every installer: the anchor's query."""
    return (
        query.dimensions == (Field.PROJECT,)
        and query.project is None
        and query.version is None
        and not query.where
        and query.installers.is_all
        and query.order is None
        and query.period.is_whole_months
    )


def anchor(query: Query, database: str, *, totals: bool = False) -> Statement:
    """The anchor's query, plus a ``project ASC`` tie-break so reruns agree."""
    rel = relation(MONTH_TABLE, database)
    where = rel.period(query.period, CLICKHOUSE.binder())
    text = (
        f"SELECT SUM(count) AS download_count, project FROM {rel.name}\n"  # noqa: S608
        f"WHERE {where} GROUP BY project{' WITH TOTALS' if totals else ''} "
        f"ORDER BY download_count DESC, project ASC"
    )
    if query.limit:
        text += f" LIMIT {sql.integer(query.limit)}"
    columns = [Column("download_count", "Int64"), Column("project", "String")]
    finish = Finish(query, ("project", "download_count"))
    return Statement(text, [], columns, finish, rel.name)


def build(query: Query, database: str, *, totals: bool = False) -> Statement:
    """The one SELECT; ``totals`` adds ``WITH TOTALS`` (a streamed reply proves it is whole)."""
    if is_anchor(query):
        return anchor(query, database, totals=totals)
    return compiler.build(query, relation(table_for(query), database), totals=totals)
