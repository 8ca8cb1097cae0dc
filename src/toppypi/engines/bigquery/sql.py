"""BigQuery Standard SQL for any :class:`Query` over ``file_downloads``: the compiler's hooks.

Field meanings are the compiler's, shared with DuckDB, so the two engines
return the same rows. Bytes are money: only the columns a query needs are
named, and the period is two whole-day ``TIMESTAMP`` literals so that BigQuery
prunes the day partitions. User values travel separately as query parameters
(``@p0``, ``@p1``...), never inside the SQL text. A version specifier is one
job: the versions are grouped on and matched on the client.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from toppypi.engines import compiler
from toppypi.engines.compiler import Binder, Dialect, RawEvents, Statement, TimeUnit
from toppypi.model.query import Query

TABLE = "bigquery-public-data.pypi.file_downloads"
STRING = "STRING"
STRING_ARRAY = "ARRAY<STRING>"
_FORMATS: dict[TimeUnit, str] = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


@dataclass(frozen=True)
class Param:
    """One named query parameter: ``STRING`` or ``ARRAY<STRING>``."""

    name: str
    type: str
    value: str | tuple[str, ...]


class BigQueryBinder(Binder):
    """Named parameters; the period as literals (validated dates), so partitions are pruned."""

    def _bind(self, type_: str, value: str | tuple[str, ...]) -> str:
        name = f"p{len(self.params)}"
        self.params.append(Param(name, type_, value))
        return f"@{name}"

    def text(self, value: str) -> str:
        return self._bind(STRING, value)

    def day(self, value: dt.date) -> str:
        raise AssertionError("BigQuery reads raw events: its period is two timestamps")

    def instant(self, value: dt.datetime) -> str:
        return timestamp_literal(value)

    def one_of(self, expr: str, values: Sequence[str], *, negate: bool = False) -> str:
        ref = self._bind(STRING_ARRAY, tuple(values))
        return f"{expr} {'NOT IN' if negate else 'IN'} UNNEST({ref})"


class BigQueryDialect(Dialect):
    name = "bigquery"

    def binder(self) -> Binder:
        return BigQueryBinder()

    def column(self, path: str) -> str:
        return path

    def regex(self, expr: str, pattern: str) -> str:
        return f"REGEXP_EXTRACT({expr}, r'{pattern}')"

    def time_text(self, expr: str, unit: TimeUnit) -> str:
        return f"FORMAT_TIMESTAMP('{_FORMATS[unit]}', {expr})"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS STRING)"


BIGQUERY = BigQueryDialect()


def timestamp_literal(instant: dt.datetime) -> str:
    """A whole-day UTC ``TIMESTAMP`` literal; from a validated day, never user text."""
    return f"TIMESTAMP '{instant:%Y-%m-%d %H:%M:%S}+00'"


def quoted_table(table: str) -> str:
    if "`" in table:
        raise ValueError(f"bad table name {table!r}")
    return f"`{table}`"


def build(query: Query, table: str = TABLE) -> Statement:
    """The one statement (one billed job) that answers ``query``."""
    return compiler.build(query, RawEvents(BIGQUERY, quoted_table(table)))


def display(st: Statement) -> str:
    """The SQL followed by its parameters as comments: what is sent, for ``--test`` and ``-v``."""
    lines = [st.sql]
    for p in st.params:
        value = list(p.value) if isinstance(p.value, tuple) else p.value
        lines.append(f"-- @{p.name} {p.type} = {json.dumps(value)}")
    return "\n".join(lines)
