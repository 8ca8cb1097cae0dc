"""The cross-engine matrix: the same Query gives identical rows on DuckDB and ClickHouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.query_matrix import CASES, Case
from toppypi.engines.options import DuckDBOptions
from toppypi.engines.registry import open_engine
from toppypi.errors import UnsupportedQuery

pytestmark = pytest.mark.clickhouse


def test_the_matrix_is_wide_enough() -> None:
    answered = [c for c in CASES if c.clickhouse]
    assert len(answered) >= 30
    fields = {f for c in answered for f in c.query.fields_used()}
    assert {f.value for f in fields} >= {
        "project",
        "version",
        "date",
        "month",
        "year",
        "pyversion",
        "country",
        "system",
        "installer",
    }
    assert len({c.query.period for c in answered}) >= 5
    assert any(c.query.version for c in answered) and any(c.query.where for c in answered)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_rows_on_both_engines(case: Case, clickhouse_source: str, store: Path) -> None:
    duck = open_engine("duckdb", DuckDBOptions(db=store))
    ch = open_engine(clickhouse_source)
    try:
        expected = duck.run(case.query)
        if not case.clickhouse:
            with pytest.raises(UnsupportedQuery, match="duckdb"):
                ch.run(case.query)
            with pytest.raises(UnsupportedQuery, match="duckdb"):
                ch.sql(case.query)
            return
        got = ch.run(case.query)
    finally:
        duck.close()
        ch.close()
    assert [c.name for c in got.columns] == [c.name for c in expected.columns]
    assert got.rows == expected.rows
    if not case.id.startswith(("spec-none", "where-no-value", "where-injection")):
        assert expected.rows, "a case that returns nothing proves little"
