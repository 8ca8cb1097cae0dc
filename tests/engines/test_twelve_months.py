"""The 12-month list (``top --last-12-months``): free on ClickHouse and DuckDB, from month tables.

The 12 complete calendar months ending with the last complete one. ClickHouse
answers it from ``pypi_downloads_per_month`` and DuckDB from its month
roll-up, so it costs what a month costs; the sample holds two of the months.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import run_cli
from toppypi.engines.clickhouse.engine import ClickHouseEngine
from toppypi.engines.duckdb.engine import DuckDBEngine
from toppypi.engines.options import DuckDBOptions
from toppypi.engines.registry import open_engine
from toppypi.model.period import Period, PeriodKind, resolve_period
from toppypi.model.query import InstallerFilter
from toppypi.operations.top import TopOptions, top_query

TODAY = dt.date(2026, 4, 2)
YEAR = Period.last_12_months(TODAY)


def test_the_period_is_twelve_complete_months() -> None:
    assert (YEAR.start, YEAR.end, YEAR.kind) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
        PeriodKind.YEAR,
    )
    assert len(YEAR.months()) == 12 and YEAR.is_whole_months
    assert resolve_period(last_12_months=True, today=TODAY) == YEAR


def _by_month_summed(duck: DuckDBEngine, limit: int | None) -> list[tuple[object, ...]]:
    """The reference: each month's full ranking, added up in Python."""
    total: Counter[str] = Counter()
    for month in YEAR.months():
        rows = duck.run(
            top_query(TopOptions(Period.for_month(month.year, month.month), limit=None))
        ).rows
        total.update({str(p): int(c) for p, c in rows})  # type: ignore[call-overload]
    ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(p, c) for p, c in ranked[:limit] if c]


def test_duckdb_answers_from_the_month_roll_up(store: Path) -> None:
    query = top_query(TopOptions(YEAR, limit=200))
    with DuckDBEngine(store) as duck:
        assert isinstance(duck, DuckDBEngine)
        st = duck.statement(query)
        assert st.relation == "rollup_month_total"
        assert "read_parquet" not in st.sql
        result = duck.run(query)
        assert result.rows == _by_month_summed(duck, 200)
        assert result.provenance.rows_before_limit == len(_by_month_summed(duck, None)) > 2900
        pip = top_query(TopOptions(YEAR, limit=50, installers=InstallerFilter.parse("pip")))
        assert duck.statement(pip).relation == "rollup_month_project"


@pytest.mark.clickhouse
def test_clickhouse_answers_from_pypi_downloads_per_month(
    clickhouse_source: str, store: Path
) -> None:
    query = top_query(TopOptions(YEAR, limit=200))
    with (
        open_engine(clickhouse_source) as ch,
        open_engine("duckdb", DuckDBOptions(db=store)) as duck,
    ):
        assert isinstance(ch, ClickHouseEngine)
        st = ch.statement(query)
        assert st.relation == "pypi.pypi_downloads_per_month"
        assert "WHERE month >= '2025-04-01' AND month <= '2026-03-01' GROUP BY project" in st.sql
        assert ch.estimate(query) is None and ch.capabilities.free
        got = ch.run(query)
        assert got.rows == duck.run(query).rows and len(got.rows) == 200
        assert got.provenance.extra["table"] == "pypi_downloads_per_month"
        full = list(ch.stream(top_query(TopOptions(YEAR, limit=None)), batch_rows=1000))
        assert [r for b in full for r in b] == duck.run(
            top_query(TopOptions(YEAR, limit=None))
        ).rows


@pytest.mark.clickhouse
def test_top_last_12_months_on_the_command_line(clickhouse_source: str, store: Path) -> None:
    args = ("top", "--last-12-months", "--today", str(TODAY), "--format", "csv", "--limit", "100")
    ch = run_cli(*args, "--source", clickhouse_source)
    dk = run_cli(*args, "--db", str(store))
    assert ch.returncode == 0, ch.stderr
    assert dk.returncode == 0, dk.stderr
    assert ch.stdout == dk.stdout and ch.stdout.count("\n") == 101
