"""BigQuery stand-ins for tests and the bytes bench, all local.

- ``BigQueryTable``: the sample events in a DuckDB table with BigQuery's nested
  ``file_downloads`` schema, under the same three-part name.
- ``to_duckdb``: our BigQuery SQL, parameters inlined as literals (for tests
  only), columns qualified by sqlglot's optimizer, transpiled to DuckDB.
- ``scanned_bytes``: what BigQuery would bill a statement, from the columns it
  reads and the documented per-type sizes (TIMESTAMP 8, BOOL 1, STRING 2 + UTF-8
  length, NULL 0) over the day partitions it keeps.
- ``FakeBigQueryClient``: a stand-in for ``google.cloud.bigquery.Client`` at the
  boundary only. It receives the real library's ``QueryJobConfig`` objects, runs
  the SQL on the DuckDB table, prices dry runs, and fails a job whose bytes
  billed would exceed ``maximum_bytes_billed`` as the service does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

from toppypi.engines.bigquery.guard import billed_bytes
from toppypi.engines.bigquery.sql import STRING_ARRAY, TABLE, Param, build
from toppypi.engines.compiler import Finished, Statement
from toppypi.model.query import Query
from toppypi.sample import event_schema

CATALOG, DATASET, NAME = TABLE.split(".")


def _bq_type(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_struct(t):
        return "STRUCT<" + ", ".join(f"{f.name} {_bq_type(f.type)}" for f in t) + ">"
    if pa.types.is_timestamp(t):
        return "TIMESTAMP"
    if pa.types.is_boolean(t):
        return "BOOL"
    return "STRING"


SCHEMA = {CATALOG: {DATASET: {NAME: {f.name: _bq_type(f.type) for f in event_schema()}}}}


def _leaves(t: Any, prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    import pyarrow as pa

    if pa.types.is_struct(t):
        return [leaf for f in t for leaf in _leaves(f.type, (*prefix, f.name))]
    return [(prefix, _bq_type(t))]


LEAVES: dict[tuple[str, ...], str] = dict(
    leaf for f in event_schema() for leaf in _leaves(f.type, (f.name,))
)


class BigQueryTable:
    """``bigquery-public-data.pypi.file_downloads`` as a DuckDB table of the sample events."""

    def __init__(self, events: Path | list[Path]) -> None:
        files = sorted(events.glob("*.parquet")) if isinstance(events, Path) else events
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(f"ATTACH ':memory:' AS \"{CATALOG}\"")
        self.con.execute(f'CREATE SCHEMA "{CATALOG}".{DATASET}')
        paths = ", ".join(f"'{p}'" for p in files)
        self.con.execute(
            f'CREATE TABLE "{CATALOG}".{DATASET}.{NAME} AS SELECT * FROM read_parquet([{paths}])'
        )

    def run(self, sql: str, params: list[Param]) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.con.execute(to_duckdb(sql, params)).fetchall()]

    def scanned_bytes(self, sql: str) -> int:
        return scanned_bytes(self.con, sql)


def literal(p: Param) -> str:
    if p.type == STRING_ARRAY:
        arr = exp.Array(expressions=[exp.Literal.string(v) for v in p.value])
        return arr.sql(dialect="bigquery")
    assert isinstance(p.value, str)
    return exp.Literal.string(p.value).sql(dialect="bigquery")


def inline(sql: str, params: list[Param]) -> str:
    """Parameters as literals: for running in DuckDB in tests, never sent anywhere."""
    by_name = {p.name: p for p in params}
    return re.sub(r"@(p\d+)\b", lambda m: literal(by_name[m.group(1)]), sql)


def qualified(sql: str) -> exp.Expression:
    """Columns qualified as BigQuery resolves them (GROUP/ORDER BY names are select aliases)."""
    return qualify(sqlglot.parse_one(sql, read="bigquery"), schema=SCHEMA, dialect="bigquery")


def to_duckdb(sql: str, params: list[Param]) -> str:
    return qualified(inline(sql, params)).sql(dialect="duckdb")


def columns_read(sql: str) -> set[tuple[str, ...]]:
    """Leaf columns a BigQuery statement reads (a whole struct reads all its leaves)."""
    tree = qualified(inline(sql, [Param(f"p{i}", "STRING", "x") for i in range(64)]))
    out: set[tuple[str, ...]] = set()
    for col in tree.find_all(exp.Column):
        if col.table != NAME:
            continue  # a select alias (ORDER BY project), not the table's column
        path = [col.name]
        node: exp.Expression | None = col.parent
        while isinstance(node, exp.Dot):
            path.append(node.name)
            node = node.parent
        key = tuple(path)
        out.update(leaf for leaf in LEAVES if leaf[: len(key)] == key)
    return out


def _size_sql(leaf: tuple[str, ...], typ: str) -> str:
    ref = ".".join(f'"{p}"' for p in leaf)
    if typ == "TIMESTAMP":
        return f"COUNT({ref}) * 8"
    if typ == "BOOL":
        return f"COUNT({ref})"
    return f"COALESCE(SUM(2 + octet_length(encode({ref}))), 0)"


_TS = re.compile(r"timestamp >= TIMESTAMP '([^']+)' AND timestamp < TIMESTAMP '([^']+)'")


def scanned_bytes(
    con: duckdb.DuckDBPyConnection, sql: str, days: tuple[dt.date, dt.date] | None = None
) -> int:
    """Bytes BigQuery would process: the read columns over the kept day partitions.

    The partitions are read from our whole-day bounds, or given as ``days`` (first, last).
    """
    leaves = sorted(columns_read(sql))
    if not leaves:
        return 0
    m = _TS.search(sql)
    bounds = (m.group(1), m.group(2)) if m else None
    if days is not None:
        bounds = (f"{days[0]} 00:00:00+00", f"{days[1] + dt.timedelta(days=1)} 00:00:00+00")
    where = ""
    if bounds:
        where = f"WHERE \"timestamp\" >= '{bounds[0]}' AND \"timestamp\" < '{bounds[1]}'"
    sizes = " + ".join(_size_sql(leaf, LEAVES[leaf]) for leaf in leaves)
    row = con.execute(f'SELECT {sizes} FROM "{CATALOG}".{DATASET}.{NAME} {where}').fetchone()
    return int(row[0]) if row else 0


@dataclass
class FakeJob:
    total_bytes_processed: int
    total_bytes_billed: int | None
    cache_hit: bool
    job_id: str
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def result(self) -> list[tuple[Any, ...]]:
        return self.rows


@dataclass
class Call:
    sql: str
    config: Any  # the real google.cloud.bigquery.QueryJobConfig

    @property
    def dry_run(self) -> bool:
        return bool(self.config.dry_run)


class FakeBigQueryClient:
    """``google.cloud.bigquery.Client`` at the boundary: query() and get_table() only."""

    def __init__(self, table: BigQueryTable, modified: dt.datetime | None = None) -> None:
        self.table = table
        self.calls: list[Call] = []
        self.modified = modified or dt.datetime(2026, 4, 2, 3, 0, tzinfo=dt.UTC)
        self._ids = itertools.count(1)

    @property
    def jobs(self) -> list[Call]:
        """The real (billed) jobs started, in order."""
        return [c for c in self.calls if not c.dry_run]

    def query(self, sql: str, job_config: Any = None, **_: Any) -> FakeJob:
        from google.api_core.exceptions import BadRequest

        self.calls.append(Call(sql, job_config))
        params = [
            Param(p.name, STRING_ARRAY, tuple(p.values))
            if hasattr(p, "values")
            else Param(p.name, "STRING", p.value)
            for p in job_config.query_parameters
        ]
        processed = self.table.scanned_bytes(inline(sql, params))
        job_id = f"job_{next(self._ids)}"
        if job_config.dry_run:
            return FakeJob(processed, None, False, job_id)
        billed = billed_bytes(processed)
        cap = job_config.maximum_bytes_billed
        if cap is not None and billed > int(cap):
            raise BadRequest(
                f"Query exceeded limit for bytes billed: {cap}. {billed} or higher required."
            )
        return FakeJob(processed, billed, False, job_id, self.table.run(sql, params))

    def get_table(self, ref: str) -> Any:
        return SimpleNamespace(modified=self.modified)


def run_statement(table: BigQueryTable, st: Statement) -> list[tuple[Any, ...]]:
    return table.run(st.sql, st.params)


def answer(table: BigQueryTable, query: Query) -> Finished:
    """The BigQuery engine's answer to ``query`` (one statement, finished on the client)."""
    st = build(query)
    return st.finish(run_statement(table, st))
