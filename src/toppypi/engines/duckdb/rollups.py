"""Roll-up tables kept by ``ingest`` so that queries never rescan raw events.

Each roll-up is a sum of ``count`` over a key; the planner picks the smallest
one that covers a query, and falls back to the raw events otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from toppypi.engines.duckdb.fields import RAW_FIELDS
from toppypi.query import Field

DERIVED_FROM_DAY = frozenset({Field.DATE, Field.MONTH, Field.YEAR})
DERIVED_FROM_MONTH = frozenset({Field.MONTH, Field.YEAR})


@dataclass(frozen=True)
class Rollup:
    table: str
    grain: str  # "day" or "month": the name of the time column too
    fields: tuple[Field, ...]

    @property
    def covers(self) -> frozenset[Field]:
        derived = DERIVED_FROM_DAY if self.grain == "day" else DERIVED_FROM_MONTH
        return frozenset(self.fields) | derived

    def column(self, fld: Field) -> str:
        return fld.value.replace("-", "_")

    def ddl(self) -> str:
        cols = ", ".join(f"{self.column(f)} VARCHAR" for f in self.fields)
        return (
            f"CREATE TABLE IF NOT EXISTS {self.table} "
            f"({self.grain} DATE NOT NULL, {cols}, count BIGINT NOT NULL)"
        )

    def insert_from(self, staged: str) -> str:
        """SQL that adds a staged day-grain aggregate into this roll-up."""
        cols = ", ".join(self.column(f) for f in self.fields)
        time = "day" if self.grain == "day" else "date_trunc('month', day)::DATE"
        return (
            f"INSERT INTO {self.table} SELECT {time}, {cols}, SUM(count)::BIGINT "  # noqa: S608
            f"FROM {staged} GROUP BY ALL"
        )


# Smallest first: the planner takes the first that covers a query.
ROLLUPS: tuple[Rollup, ...] = (
    Rollup("rollup_month_project", "month", (Field.PROJECT, Field.INSTALLER)),
    Rollup("rollup_day_project", "day", (Field.PROJECT, Field.INSTALLER)),
)

# Everything the roll-ups need, read once per ingested file.
STAGED_FIELDS: tuple[Field, ...] = tuple(dict.fromkeys(f for r in ROLLUPS for f in r.fields))


def staged_select(source: str) -> str:
    """Aggregate raw events from ``source`` to one row per day and roll-up key."""
    cols = ", ".join(f"{RAW_FIELDS[f]} AS {f.value.replace('-', '_')}" for f in STAGED_FIELDS)
    return (
        f'SELECT CAST("timestamp" AS DATE) AS day, {cols}, COUNT(*)::BIGINT AS count '  # noqa: S608
        f"FROM {source} GROUP BY ALL"
    )
