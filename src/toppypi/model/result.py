"""What an engine returns: rows plus where they came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from toppypi.model.redact import redact

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the engine's type name, e.g. ClickHouse's "Int64" or "String"


@dataclass
class Provenance:
    """How a result was made: the dumps publish parts of it, the archive all of it.

    Every engine fills ``engine``, ``endpoint``, ``sql`` (exactly what was sent;
    BigQuery's with its parameters as comments), ``elapsed`` and ``freshness``;
    engines that bill fill the bytes and the cost.
    """

    engine: str  # duckdb, clickhouse, bigquery
    endpoint: str = ""  # the store, the server and user, or the table; never a secret
    sql: str = ""
    elapsed: float = 0.0
    bytes_processed: int | None = None
    bytes_billed: int | None = None
    estimated_cost: float | None = None
    cached: bool = False
    rows_read: int | None = None
    bytes_read: int | None = None
    rows_before_limit: int | None = None
    freshness: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The record ``archive/YYYY-MM/provenance.json`` keeps, secrets masked."""
        return {
            "engine": self.engine,
            "endpoint": redact(self.endpoint),
            "sql": redact(self.sql),
            "freshness": self.freshness.isoformat() if self.freshness else None,
            "elapsed": round(self.elapsed, 6),
            "bytes_processed": self.bytes_processed,
            "bytes_billed": self.bytes_billed,
            "estimated_cost": self.estimated_cost,
            "cached": self.cached,
            "rows_read": self.rows_read,
            "bytes_read": self.bytes_read,
            "rows_before_limit": self.rows_before_limit,
        }


@dataclass
class Result:
    """Rows as tuples in ``columns`` order, with provenance."""

    columns: list[Column]
    rows: list[tuple[Value, ...]]
    provenance: Provenance

    def dicts(self) -> list[dict[str, Value]]:
        names = [c.name for c in self.columns]
        return [dict(zip(names, r, strict=True)) for r in self.rows]

    def column_index(self, name: str) -> int:
        for i, c in enumerate(self.columns):
            if c.name == name:
                return i
        raise KeyError(name)
