"""ClickPy's tables, smallest first, and which pypinfo fields each one covers.

The planner takes the first table that covers a query's fields, filters and
period, as ClickPy's own ``findOptimalTable`` does. Every table holds
``count Int64`` to be summed; missing values are stored as ``''``.
"""

from __future__ import annotations

from dataclasses import dataclass

from toppypi.model.query import Field

DAY_FIELDS = frozenset({Field.DATE, Field.MONTH, Field.YEAR})
MONTH_FIELDS = frozenset({Field.MONTH, Field.YEAR})


@dataclass(frozen=True)
class Table:
    name: str  # without the database
    grain: str  # the time column: "month" or "date"
    columns: tuple[tuple[Field, str], ...]  # pypinfo field -> ClickPy column
    extra: tuple[str, ...] = ()  # other key columns ClickPy has (file type)

    @property
    def covers(self) -> frozenset[Field]:
        derived = MONTH_FIELDS if self.grain == "month" else DAY_FIELDS
        return frozenset(f for f, _ in self.columns) | derived

    def column(self, fld: Field) -> str:
        return dict(self.columns)[fld]

    def ddl(self, database: str) -> str:
        """ClickPy's layout: a SummingMergeTree keyed on every column but ``count``."""
        cols = [self.grain, *(c for _, c in self.columns), *self.extra]
        typed = ", ".join([f"{self.grain} Date", *(f"{c} String" for c in cols[1:]), "count Int64"])
        if self.grain != "month":  # ClickPy orders day tables by project first
            cols = [*cols[1:2], cols[0], *cols[2:]]
        key = ", ".join(cols)
        return (
            f"CREATE TABLE IF NOT EXISTS {database}.{self.name} ({typed}) "
            f"ENGINE = SummingMergeTree ORDER BY ({key})"
        )


_P = (Field.PROJECT, "project")
_V = (Field.VERSION, "version")
_C = (Field.COUNTRY, "country_code")
_PY = (Field.PYVERSION, "python_minor")
_S = (Field.SYSTEM, "system")
_I = (Field.INSTALLER, "installer")

MONTH_TABLE = Table("pypi_downloads_per_month", "month", (_P,))
DAY_TABLE = Table("pypi_downloads_per_day", "date", (_P,))
_BY = "pypi_downloads_per_day_by_version"

# Smallest first.
TABLES: tuple[Table, ...] = (
    MONTH_TABLE,
    DAY_TABLE,
    Table(_BY, "date", (_P, _V)),
    Table(f"{_BY}_by_country", "date", (_P, _V, _C)),
    Table(f"{_BY}_by_python", "date", (_P, _V, _PY)),
    Table(f"{_BY}_by_system", "date", (_P, _V, _S)),
    Table(f"{_BY}_by_installer_by_type", "date", (_P, _V, _I), extra=("type",)),
    Table(f"{_BY}_by_python_by_country", "date", (_P, _V, _PY, _C)),
    Table(f"{_BY}_by_system_by_country", "date", (_P, _V, _S, _C)),
    Table(f"{_BY}_by_installer_by_type_by_country", "date", (_P, _V, _I, _C), extra=("type",)),
)


def choose_table(fields: set[Field], whole_months: bool) -> Table | None:
    """The smallest table holding ``fields`` at a grain that fits the period."""
    for table in TABLES:
        if table.grain == "month" and not whole_months:
            continue
        if fields <= table.covers:
            return table
    return None
