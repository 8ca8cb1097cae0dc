"""What an engine can answer, declared as data so that it is known without opening it.

Each engine declares one :class:`Capabilities` in its own package; the
:mod:`catalog` gathers them, and is the one place that decides whether a
query can be answered and which other engines could answer it instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from toppypi.model.query import Field, Query

ALL_FIELDS: frozenset[Field] = frozenset(Field)


@dataclass(frozen=True)
class Capabilities:
    """An engine's static description: its names, driver, and the queries it answers.

    ``together`` lists the field sets one of its relations holds together
    (ClickPy's tables); None means any combination of its fields.
    """

    name: str  # the ``--source`` name: duckdb, clickhouse, bigquery
    display_name: str  # as dumps and messages name it: DuckDB, ClickHouse, BigQuery
    extra: str | None = None  # the optional dependency that installs its driver
    dimensions: frozenset[Field] = ALL_FIELDS
    filters: frozenset[Field] = ALL_FIELDS
    together: tuple[frozenset[Field], ...] | None = None
    streams: bool = False  # hands a large result over in batches natively
    can_estimate: bool = False  # prices a query before running it
    free: bool = True  # bills nothing

    def unsupported(self, query: Query) -> str | None:
        """Why this engine cannot answer ``query`` (a phrase), or None when it can."""
        for fld in query.dimensions:
            if fld not in self.dimensions:
                return f"cannot group by field {fld.value!r}"
        used = query.fields_used()
        for fld in sorted(used - set(query.dimensions)):
            if fld not in self.filters:
                return f"cannot filter on field {fld.value!r}"
        if self.together is not None and not any(used <= s for s in self.together):
            fields = ", ".join(sorted(f.value for f in used))
            return f"has no table holding {fields} together"
        return None
