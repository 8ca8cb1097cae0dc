"""A top-N ranking for one period, and the metadata its dumps carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from toppypi.model.period import Period


@dataclass(frozen=True)
class Row:
    download_count: int
    project: str


@dataclass
class Snapshot:
    """The ranking plus everything needed to write any dump format.

    ``meta``, ``statistics`` and ``query`` hold what the source engine reported,
    kept verbatim so that a dump read back writes the same bytes.
    """

    rows: list[Row]
    last_update: dt.datetime  # naive UTC
    source: str = "ClickHouse"
    period: Period | None = None
    window_days: int | None = None
    meta: list[dict[str, str]] = field(
        default_factory=lambda: [
            {"name": "download_count", "type": "Int64"},
            {"name": "project", "type": "String"},
        ]
    )
    total_rows: int | None = None
    rows_before_limit_at_least: int | None = None
    statistics: dict[str, Any] | None = None
    query: dict[str, Any] | None = None  # pypinfo-era {bytes_billed, ..., estimated_cost}
    engine: str | None = None
    installers: str = "all"
    checks: dict[str, Any] | None = None
    repeated_headers: int = 0  # CSV headers seen past the first: two dumps in one file

    @property
    def total_downloads(self) -> int:
        return sum(r.download_count for r in self.rows)

    @property
    def last_update_text(self) -> str:
        return self.last_update.strftime("%Y-%m-%d %H:%M:%S")
