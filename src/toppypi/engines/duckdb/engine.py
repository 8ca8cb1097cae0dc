"""The embedded engine: plans a query onto a roll-up or the raw events."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toppypi.engines import compiler
from toppypi.engines.compiler import RawEvents, Statement, Summed, smallest_covering
from toppypi.engines.duckdb import store
from toppypi.engines.duckdb.capabilities import CAPABILITIES
from toppypi.engines.duckdb.dialect import DUCKDB
from toppypi.engines.duckdb.rollups import ROLLUPS, Rollup
from toppypi.engines.interface import BATCH_ROWS, Batch, Engine
from toppypi.engines.options import DuckDBOptions
from toppypi.errors import UsageError
from toppypi.model.query import Query
from toppypi.model.result import Provenance, Result

if TYPE_CHECKING:
    import duckdb


def rollup_relation(rollup: Rollup) -> Summed:
    """A roll-up table: summed counts, NULL for missing, one row per month and key."""
    columns = {f: rollup.column(f) for f in rollup.fields}
    return Summed(DUCKDB, rollup.table, rollup.grain, columns, stores_empty=False, merged=True)


class DuckDBEngine(Engine):
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

    def local_paths(self) -> tuple[Path, ...]:
        return (self.db, store.events_dir(self.db))

    # planning -----------------------------------------------------------

    def choose_rollup(self, query: Query) -> Rollup | None:
        return smallest_covering(ROLLUPS, query)

    def statement(self, query: Query) -> Statement:
        """The SQL for ``query``, on the smallest roll-up that covers it, else the raw events."""
        self.check(query)
        rollup = self.choose_rollup(query)
        if rollup is not None:
            return compiler.build(query, rollup_relation(rollup))
        return compiler.build(query, RawEvents(DUCKDB, self._raw()))

    def _raw(self) -> str:
        raw = store.raw_relation(self.con, self.db)
        if raw is None:
            raise UsageError(f"the store {self.db} holds no events; run `toppypi ingest` first")
        return raw

    def sql(self, query: Query) -> str:
        return self.statement(query).sql

    # running ------------------------------------------------------------

    def run(self, query: Query) -> Result:
        t0 = time.perf_counter()
        st = self.statement(query)
        done = st.finish([tuple(r) for r in self.con.execute(st.sql, st.params).fetchall()])
        before = done.rows_before_limit
        if st.count_sql is not None:
            row = self.con.execute(st.count_sql, st.count_params).fetchone()
            before = int(row[0]) if row else 0
        prov = Provenance(
            engine=self.name,
            endpoint=str(self.db),
            sql=st.sql,
            elapsed=time.perf_counter() - t0,
            rows_before_limit=before,
            rows_read=before,
            freshness=self.freshness(),
            extra={"relation": _short(st.relation)},
        )
        return Result(columns=compiler.output_columns(query), rows=done.rows, provenance=prov)

    def stream(self, query: Query, *, batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
        """``run``'s rows in batches, fetched from the cursor as they are needed."""
        st = self.statement(query)
        if st.finish.on_client:  # versions are matched over the whole answer
            yield from super().stream(query, batch_rows=batch_rows)
            return
        cur = self.con.cursor()
        try:
            cur.execute(st.sql, st.params)
            while batch := cur.fetchmany(batch_rows):
                yield st.finish.batch([tuple(r) for r in batch])
        finally:
            cur.close()

    def freshness(self) -> dt.date | None:
        row = self.con.execute("SELECT MAX(last_day) FROM ingested_files").fetchone()
        return row[0] if row else None


def _short(relation: str) -> str:
    """A roll-up's name, or ``raw events`` for the (long) list of Parquet files."""
    raw = relation.startswith(("read_parquet", "(")) or "log_events" in relation
    return "raw events" if raw else relation


def open_engine(spec: str, options: DuckDBOptions | None = None, **_: Any) -> DuckDBEngine:
    """``duckdb`` or ``duckdb:PATH``; else ``options.db``, ``$TOPPYPI_DB`` or the default."""
    in_spec = spec.strip().partition(":")[2]
    given = options.db if options is not None else None
    if in_spec and given is not None and Path(in_spec) != Path(given):
        raise UsageError(f"two stores given: {spec} and --db {given}; give one")
    chosen = Path(in_spec) if in_spec else Path(given) if given else store.default_db_path()
    return DuckDBEngine(chosen)
