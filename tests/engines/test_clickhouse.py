"""The ClickHouse engine against a real server on 127.0.0.1, loaded with the sample events."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from toppypi.engines.options import DuckDBOptions
from toppypi.engines.registry import open_engine
from toppypi.model.period import Period
from toppypi.model.query import Field, InstallerFilter, Query
from toppypi.operations.top import TopOptions, ranking_from_result, top_query

pytestmark = pytest.mark.clickhouse

MARCH = Period.for_month(2026, 3)


def test_top_csv_equals_duckdb_byte_for_byte(clickhouse_source: str, store: Path) -> None:
    ch = run_cli("top", "--source", clickhouse_source, "--month", "2026-03", "--format", "csv")
    dk = run_cli(
        "top", "--source", "duckdb", "--db", str(store), "--month", "2026-03", "--format", "csv"
    )
    assert ch.returncode == 0, ch.stderr
    assert dk.returncode == 0, dk.stderr
    assert ch.stdout.count("\n") > 2900
    assert ch.stdout == dk.stdout


def test_verbose_shows_the_anchor_query(clickhouse_source: str) -> None:
    out = run_cli(
        "top",
        "-v",
        "--source",
        clickhouse_source,
        "--month",
        "2026-03",
        "--limit",
        "5",
        "--format",
        "csv",
    )
    assert out.returncode == 0, out.stderr
    assert (
        "SELECT SUM(count) AS download_count, project FROM pypi.pypi_downloads_per_month\n"
        "WHERE month = '2026-03-01' GROUP BY project ORDER BY download_count DESC, project ASC "
        "LIMIT 5\nFORMAT JSON"
    ) in out.stderr


def test_snapshot_carries_the_server_provenance(clickhouse_source: str, store: Path) -> None:
    engine = open_engine(clickhouse_source)
    duck = open_engine("duckdb", DuckDBOptions(db=store))
    try:
        query = top_query(TopOptions(MARCH, 100))
        result = engine.run(query)
        every = duck.run(top_query(TopOptions(MARCH, None))).rows
    finally:
        engine.close()
        duck.close()
    snap = ranking_from_result(result, TopOptions(MARCH, 100), engine)
    env = snap.envelope
    prov = result.provenance
    assert prov.extra["table"] == "pypi_downloads_per_month"
    assert prov.extra["meta"] == [
        {"name": "download_count", "type": "Int64"},
        {"name": "project", "type": "String"},
    ]
    assert [{"name": n, "type": t} for n, t in env.columns] == prov.extra["meta"]
    assert env.rows_before_limit_at_least == len(every) > 2900
    assert set(env.statistics or {}) == {"elapsed", "rows_read", "bytes_read"}
    assert env.statistics == prov.extra["statistics"]
    assert len(snap) == 100 and snap.source == "ClickHouse"


def test_freshness_is_the_newest_day(clickhouse_source: str, store: Path) -> None:
    ch = open_engine(clickhouse_source)
    dk = open_engine("duckdb", DuckDBOptions(db=store))
    try:
        assert ch.freshness() == dk.freshness() == MARCH.end
    finally:
        ch.close()
        dk.close()


@pytest.mark.parametrize(
    "period",
    [
        MARCH,
        Period.for_month(2026, 2),
        Period(MARCH.start, MARCH.start.replace(day=10)),
        Period(Period.for_month(2026, 2).start, MARCH.end),
    ],
    ids=["march", "february", "ten-days", "two-months"],
)
@pytest.mark.parametrize("installers", ["all", "pip", "pip,uv", "no-mirrors"])
@pytest.mark.parametrize("limit", [1, 50, None])
def test_top_matrix_equals_duckdb(
    clickhouse_source: str, store: Path, period: Period, installers: str, limit: int | None
) -> None:
    query = Query(
        period, (Field.PROJECT,), installers=InstallerFilter.parse(installers), limit=limit
    )
    ch = open_engine(clickhouse_source)
    dk = open_engine("duckdb", DuckDBOptions(db=store))
    try:
        a, b = ch.run(query), dk.run(query)
    finally:
        ch.close()
        dk.close()
    assert a.rows == b.rows
    assert [c.name for c in a.columns] == [c.name for c in b.columns]
    assert len(a.rows) == (limit or len(b.rows)) and a.rows
