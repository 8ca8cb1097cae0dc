"""ClickHouse's spelling of the compiler's hooks, for servers without query parameters.

Debian's clickhouse-server 18.16 predates ``{x:String}`` parameters, so every
value is a checked literal from :mod:`.sql`; grouping is by output name (no
positional GROUP BY then), and there are no window functions (the reply's
``rows_before_limit_at_least`` says how many rows there were).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from toppypi.engines.clickhouse import sql
from toppypi.engines.compiler import Binder, Dialect, TimeUnit


class ClickHouseBinder(Binder):
    """Values as literals that read back exactly; ``params`` stays empty."""

    def text(self, value: str) -> str:
        return sql.string(value)

    def day(self, value: dt.date) -> str:
        return sql.date(value)

    def instant(self, value: dt.datetime) -> str:
        raise AssertionError("ClickPy's tables hold days, not instants")

    def one_of(self, expr: str, values: Sequence[str], *, negate: bool = False) -> str:
        if not values:
            return "1" if negate else "0"
        return f"{expr} {'NOT IN' if negate else 'IN'} {sql.strings(values)}"


class ClickHouseDialect(Dialect):
    name = "clickhouse"
    # By name: ClickHouse substitutes aliases inside expressions, so grouping by
    # ``nullIf(version, '')`` under the alias ``version`` would not match itself.
    ordinal_group_by = False
    window_functions = False

    def binder(self) -> Binder:
        return ClickHouseBinder()

    def column(self, path: str) -> str:
        return sql.ident(path)

    def missing(self, expr: str) -> str:
        return f"nullIf({expr}, '')"

    def regex(self, expr: str, pattern: str) -> str:
        raise AssertionError("ClickPy's tables hold no raw fields to extract from")

    def time_text(self, expr: str, unit: TimeUnit) -> str:
        if unit == "day":
            return f"toString({expr})"
        if unit == "month":
            return f"formatDateTime({expr}, '%Y-%m')"
        return f"toString(toYear({expr}))"


CLICKHOUSE = ClickHouseDialect()
