"""What an engine returns: rows plus where they came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Value = str | int | float | bool | None


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # the engine's type name, e.g. ClickHouse's "Int64" or "String"


@dataclass
class Provenance:
    """How a result was made; the dumps publish parts of it."""

    engine: str
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
