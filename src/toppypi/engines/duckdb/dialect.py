"""DuckDB's spelling of the compiler's hooks: positional ``?`` parameters, ``strftime``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from toppypi.engines.compiler import Binder, Dialect, TimeUnit

_FORMATS: dict[TimeUnit, str] = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


class DuckDBBinder(Binder):
    """Every value a ``?``, bound by position."""

    def _bind(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def text(self, value: str) -> str:
        return self._bind(value)

    def day(self, value: dt.date) -> str:
        return self._bind(value)

    def instant(self, value: dt.datetime) -> str:
        return self._bind(value)

    def one_of(self, expr: str, values: Sequence[str], *, negate: bool = False) -> str:
        if not values:
            return "TRUE" if negate else "FALSE"
        marks = ", ".join(self._bind(v) for v in values)
        return f"{expr} {'NOT IN' if negate else 'IN'} ({marks})"


class DuckDBDialect(Dialect):
    name = "duckdb"

    def binder(self) -> Binder:
        return DuckDBBinder()

    def column(self, path: str) -> str:
        # The top-level name quoted: ``file`` and ``timestamp`` are also SQL words.
        head, dot, rest = path.partition(".")
        return f'"{head}"{dot}{rest}'

    def regex(self, expr: str, pattern: str) -> str:
        return f"regexp_extract({expr}, '{pattern}', 1)"

    def time_text(self, expr: str, unit: TimeUnit) -> str:
        return f"strftime({expr}, '{_FORMATS[unit]}')"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS VARCHAR)"

    def integer(self, aggregate: str) -> str:
        return f"{aggregate}::BIGINT"


DUCKDB = DuckDBDialect()
