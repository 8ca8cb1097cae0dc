"""The ClickHouse engine: ClickPy's tables over the HTTP interface."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

from toppypi.engines.clickhouse import planner, sql
from toppypi.engines.clickhouse.capabilities import CAPABILITIES
from toppypi.engines.clickhouse.client import ClickHouseClient
from toppypi.engines.clickhouse.rows import RowReader
from toppypi.engines.clickhouse.source import Endpoint, parse_source
from toppypi.engines.clickhouse.tables import DAY_TABLE
from toppypi.engines.compiler import Statement, output_columns
from toppypi.engines.interface import BATCH_ROWS, Batch, Engine
from toppypi.engines.options import ClickHouseOptions
from toppypi.errors import EngineError
from toppypi.model.query import Query
from toppypi.model.result import Column, Provenance, Result

FORMAT_JSON = "\nFORMAT JSON"
FORMAT_TSV = "\nFORMAT TabSeparated"


class ClickHouseEngine(Engine):
    capabilities = CAPABILITIES

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.client = ClickHouseClient(endpoint)
        self._fresh: tuple[dt.date | None] | None = None

    def close(self) -> None:
        self.client.close()

    # planning -----------------------------------------------------------

    def statement(self, query: Query, *, totals: bool = False) -> Statement:
        """Refuse what ClickPy cannot answer, then build on the smallest table."""
        self.check(query)
        return planner.build(query, self.endpoint.database, totals=totals)

    def sql(self, query: Query) -> str:
        """The SQL ``run`` sends."""
        return self.statement(query).sql + FORMAT_JSON

    def _streams(self, query: Query) -> bool:
        """A grouped answer whose rows need no client-side matching streams as TSV."""
        return bool(query.group_fields) and query.version is None

    def stream_sql(self, query: Query) -> str:
        """The SQL ``stream`` sends (TSV ending in a ``WITH TOTALS`` row)."""
        if not self._streams(query):
            return self.sql(query)
        return self.statement(query, totals=True).sql + FORMAT_TSV

    def _reader(self, st: Statement) -> RowReader:
        return RowReader(tuple(c.name for c in st.columns), st.finish.names, self.endpoint.label)

    # running ------------------------------------------------------------

    def run(self, query: Query) -> Result:
        st = self.statement(query)
        text = st.sql + FORMAT_JSON
        t0 = time.perf_counter()
        obj = self.client.query_json(text)
        elapsed = time.perf_counter() - t0
        done = st.finish(self._reader(st).from_json(obj["meta"], obj["data"]))
        stats = obj.get("statistics") if isinstance(obj.get("statistics"), dict) else None
        before = obj.get("rows_before_limit_at_least")
        if done.rows_before_limit is not None:
            before = done.rows_before_limit
        prov = Provenance(
            engine=self.name,
            endpoint=self.endpoint.label,
            sql=text,
            elapsed=elapsed,
            rows_read=_int_or_none(stats, "rows_read"),
            bytes_read=_int_or_none(stats, "bytes_read"),
            rows_before_limit=_int(before),
            freshness=self.freshness(),
            extra={"meta": obj["meta"], "table": _table(st), "endpoint": self.endpoint.label},
        )
        if stats is not None:
            prov.extra["statistics"] = stats
        types = {m.get("name"): str(m.get("type")) for m in obj["meta"] if isinstance(m, dict)}
        columns = [Column(c.name, types.get(c.name, c.type)) for c in output_columns(query)]
        return Result(columns=columns, rows=done.rows, provenance=prov)

    def stream(self, query: Query, *, batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
        """``run``'s rows in batches, read from a streamed TSV reply in bounded memory.

        The reply ends with ClickHouse's ``WITH TOTALS`` row; a reply without it,
        or whose counts do not add up to it, is an error, never a short list.
        """
        if not self._streams(query):
            yield from super().stream(query, batch_rows=batch_rows)
            return
        st = self.statement(query, totals=True)
        reader = self._reader(st)
        with self.client.stream_lines(st.sql + FORMAT_TSV) as lines:
            yield from reader.from_tsv(lines, batch_rows, check_sum=query.unlimited)

    def freshness(self) -> dt.date | None:
        """The newest day in ``pypi_downloads_per_day`` (ingestion can stall); asked once."""
        if self._fresh is None:
            self._fresh = (self._ask_freshness(),)
        return self._fresh[0]

    def _ask_freshness(self) -> dt.date | None:
        db = sql.ident(self.endpoint.database)
        text = self.client.query_text(
            f"SELECT max(date) FROM {db}.{DAY_TABLE.name}{FORMAT_TSV}"  # noqa: S608
        ).strip()
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            if text in ("", "0000-00-00"):
                return None
            raise EngineError(
                f"ClickHouse at {self.endpoint.label}: unexpected freshness {text[:40]!r}"
            ) from None
        return None if day.year <= 1970 else day


def _table(st: Statement) -> str:
    return st.relation.partition(".")[2]


def _int(value: Any) -> int | None:
    """A JSON integer, quoted or not (64-bit integers are quoted unless a setting says not)."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _int_or_none(stats: dict[str, Any] | None, key: str) -> int | None:
    return _int(stats.get(key)) if stats else None


def open_engine(spec: str, options: ClickHouseOptions | None = None, **_: Any) -> ClickHouseEngine:
    """``clickhouse`` or ``clickhouse+http(s)://HOST:PORT/?user=U``; ``options`` win."""
    return ClickHouseEngine(parse_source(spec, options))
