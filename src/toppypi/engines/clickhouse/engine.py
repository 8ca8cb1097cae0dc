"""The ClickHouse engine: ClickPy's tables over the HTTP interface."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

from toppypi.engines.clickhouse import planner, sql
from toppypi.engines.clickhouse.capabilities import CAPABILITIES
from toppypi.engines.clickhouse.client import ClickHouseClient
from toppypi.engines.clickhouse.rows import RowReader, parse_tsv_values
from toppypi.engines.clickhouse.source import Endpoint
from toppypi.engines.clickhouse.tables import DAY_TABLE
from toppypi.engines.interface import Estimate
from toppypi.errors import EngineError
from toppypi.model.query import Query
from toppypi.model.result import Column, Provenance, Result, Value
from toppypi.model.versions import matching_versions

FORMAT_JSON = "\nFORMAT JSON"
FORMAT_TSV = "\nFORMAT TabSeparated"


class ClickHouseEngine:
    name = "clickhouse"
    capabilities = CAPABILITIES

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.client = ClickHouseClient(endpoint)

    def close(self) -> None:
        self.client.close()

    # planning -----------------------------------------------------------

    def plan(self, query: Query, *, totals: bool = False) -> planner.Plan:
        """Refuse what ClickPy cannot answer, list versions if needed, then build."""
        self.capabilities.check(query)
        planner.table_for(query)
        versions = self._versions(query) if planner.needs_version_list(query) else None
        return planner.build(query, self.endpoint.database, versions, totals=totals)

    def sql(self, query: Query) -> str:
        """The SQL ``run`` sends; a specifier's version listing is shown, not run."""
        self.capabilities.check(query)
        db = self.endpoint.database
        if planner.needs_version_list(query):
            listing = planner.version_list_sql(query, db)
            main = planner.build(query, db, ["<matching versions>"]).sql
            return (
                f"{listing}{FORMAT_TSV};\n-- then, with the versions matching "
                f"{query.version}:\n{main}{FORMAT_JSON}"
            )
        return planner.build(query, db).sql + FORMAT_JSON

    def stream_sql(self, query: Query) -> str:
        """The SQL ``stream`` sends (TSV ending in a ``WITH TOTALS`` row)."""
        self.capabilities.check(query)
        if planner.needs_version_list(query) or not query.group_fields:
            return self.sql(query)
        return planner.build(query, self.endpoint.database, totals=True).sql + FORMAT_TSV

    def _versions(self, query: Query) -> list[str]:
        spec = query.specifier
        assert spec is not None
        text = self.client.query_text(
            planner.version_list_sql(query, self.endpoint.database) + FORMAT_TSV
        )
        found = [parse_tsv_values(line, 1)[0] for line in text.splitlines() if line]
        return matching_versions((v if isinstance(v, str) else None for v in found), spec)

    # running ------------------------------------------------------------

    def run(self, query: Query) -> Result:
        plan = self.plan(query)
        text = plan.sql + FORMAT_JSON
        t0 = time.perf_counter()
        obj = self.client.query_json(text)
        elapsed = time.perf_counter() - t0
        reader = RowReader(plan.names, _canonical(query), self.endpoint.label)
        rows = reader.from_json(obj["meta"], obj["data"])
        stats = obj.get("statistics") if isinstance(obj.get("statistics"), dict) else None
        before = obj.get("rows_before_limit_at_least")
        prov = Provenance(
            engine=self.name,
            sql=text,
            elapsed=elapsed,
            rows_read=_int_or_none(stats, "rows_read"),
            bytes_read=_int_or_none(stats, "bytes_read"),
            rows_before_limit=before if isinstance(before, int) else None,
            extra={"meta": obj["meta"], "table": plan.table.name, "endpoint": self.endpoint.label},
        )
        if stats is not None:
            prov.extra["statistics"] = stats
        types = {m.get("name"): str(m.get("type")) for m in obj["meta"] if isinstance(m, dict)}
        columns = [Column(n, types.get(n, "String")) for n in reader.out_names]
        return Result(columns=columns, rows=rows, provenance=prov)

    def stream(
        self, query: Query, *, batch_rows: int = 50_000
    ) -> Iterator[list[tuple[Value, ...]]]:
        """``run``'s rows in batches, read from a streamed TSV reply in bounded memory.

        The reply ends with ClickHouse's ``WITH TOTALS`` row; a reply without it,
        or whose counts do not add up to it, is an error, never a short list.
        """
        if not query.group_fields:
            yield self.run(query).rows
            return
        plan = self.plan(query, totals=True)
        reader = RowReader(plan.names, _canonical(query), self.endpoint.label)
        with self.client.stream_lines(plan.sql + FORMAT_TSV) as lines:
            yield from reader.from_tsv(lines, batch_rows, check_sum=query.unlimited)

    def freshness(self) -> dt.date | None:
        """The newest day in ``pypi_downloads_per_day``: upstream ingestion can stall."""
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

    def estimate(self, query: Query) -> Estimate | None:
        return None


def _canonical(query: Query) -> tuple[str, ...]:
    """DuckDB's column order: the group fields, then ``download_count``."""
    return (*(f.column for f in query.group_fields), "download_count")


def _int_or_none(stats: dict[str, Any] | None, key: str) -> int | None:
    value = stats.get(key) if stats else None
    return value if isinstance(value, int) else None
