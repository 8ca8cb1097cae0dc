"""Typed options, one class per engine, so that an option never reaches the wrong engine.

``open_engine("bigquery:p", BigQueryOptions(max_bytes=200 * GIB))`` is checked
before anything opens: options of another engine are a usage error that
names the engine they belong to. Every field is optional; None keeps the
engine's default (for BigQuery's credentials: ``$GOOGLE_APPLICATION_CREDENTIALS``;
for DuckDB's store: ``$TOPPYPI_DB``, else the user data directory).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import ClassVar

from toppypi.errors import UsageError


@dataclass(frozen=True)
class EngineOptions:
    """Options of one engine; ``engine`` is the ``--source`` name they belong to."""

    engine: ClassVar[str] = ""

    def given(self) -> list[str]:
        """The names of the options set (not None)."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True)
class DuckDBOptions(EngineOptions):
    """The local store (``--db``); ``duckdb:PATH`` in the source names it too."""

    engine: ClassVar[str] = "duckdb"
    db: Path | None = None


@dataclass(frozen=True)
class ClickHouseOptions(EngineOptions):
    """What the URL's ``&timeout=`` and ``&attempts=`` set; these override the URL's."""

    engine: ClassVar[str] = "clickhouse"
    timeout: float | None = None
    attempts: int | None = None

    def __post_init__(self) -> None:
        if self.timeout is not None and not 0 < self.timeout <= 3600:
            raise UsageError("ClickHouse timeout must be a number of seconds in (0, 3600]")
        if self.attempts is not None and not 1 <= self.attempts <= 10:
            raise UsageError("ClickHouse attempts must be a whole number from 1 to 10")


@dataclass(frozen=True)
class BigQueryOptions(EngineOptions):
    """Credentials and the cost guard's limits, in bytes and USD."""

    engine: ClassVar[str] = "bigquery"
    credentials: Path | None = None
    max_bytes: int | None = None  # per query; None: what is left of the budget
    budget: int | None = None  # bytes billed per calendar month
    price_per_tib: float | None = None
    ledger: Path | None = None  # the usage file; None: $TOPPYPI_BIGQUERY_LEDGER or the default

    def __post_init__(self) -> None:
        for name in ("max_bytes", "budget"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise UsageError(f"--{name.replace('_', '-')} must be 0 or more")
        price = self.price_per_tib
        if price is not None and (price < 0 or not math.isfinite(price)):
            raise UsageError("--price-per-tib must be 0 or more")


OPTIONS: dict[str, type[EngineOptions]] = {
    cls.engine: cls for cls in (DuckDBOptions, ClickHouseOptions, BigQueryOptions)
}
