"""The BigQuery SQL means what the DuckDB engine means, row for row.

Each query's generated BigQuery SQL (parameters inlined for the test only) is
qualified and transpiled by sqlglot and run on the same sample events held in a
DuckDB table with BigQuery's nested schema; the rows must equal the DuckDB
engine's, which is the reference semantics.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.support.bigquery_support import BigQueryTable, answer, columns_read
from toppypi.engines.bigquery.sql import build
from toppypi.engines.compiler import matches_on_client
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.model.period import Period
from toppypi.model.query import Condition, Field, InstallerFilter, Op, Query, parse_where

pytestmark = pytest.mark.bigquery

F = Field
MARCH = Period.for_month(2026, 3)
FEB = Period.for_month(2026, 2)
ACROSS = Period(dt.date(2026, 2, 20), dt.date(2026, 3, 9))  # days, across a month edge
ONE_DAY = Period(dt.date(2026, 3, 15), dt.date(2026, 3, 15))
TWO_MONTHS = Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31))

DIMENSIONS: list[tuple[Field, ...]] = [
    (F.PROJECT,),
    (F.PROJECT, F.VERSION),
    (F.PYVERSION,),
    (F.PYVERSION, F.PERCENT3, F.PERCENT2),
    (F.COUNTRY, F.INSTALLER),
    (F.DATE,),
    (F.MONTH, F.SYSTEM),
    (F.YEAR, F.IMPL, F.IMPL_VERSION),
    (F.OPENSSL, F.CI),
    (F.DISTRO, F.DISTRO_VERSION, F.LIBC, F.LIBC_VERSION),
    (F.INSTALLER, F.INSTALLER_VERSION, F.SETUPTOOLS_VERSION),
    (F.FILE, F.CPU, F.SYSTEM_RELEASE),
]
PERIODS = [MARCH, ACROSS, TWO_MONTHS]
INSTALLERS = ["all", "pip", "no-mirrors", "pip,uv"]
FILTERS: list[dict[str, Any]] = [
    {},
    {"project": "boto3"},
    {"where": parse_where("country=US")},
    {"where": parse_where("system IN Linux,Darwin AND ci=false")},
    {"where": parse_where("installer!=uv")},
]


def _matrix() -> list[Query]:
    out = []
    for i, (dims, period) in enumerate(itertools.product(DIMENSIONS, PERIODS)):
        out.append(
            Query(
                period=period,
                dimensions=dims,
                installers=InstallerFilter.parse(INSTALLERS[i % len(INSTALLERS)]),
                limit=(None, 20, 500)[i % 3],
                **FILTERS[i % len(FILTERS)],
            )
        )
    return out


MATRIX = _matrix()


@pytest.fixture(scope="module")
def table(events_dir: Path) -> BigQueryTable:
    return BigQueryTable(events_dir)


@pytest.fixture(scope="module")
def duck(store: Path) -> DuckDBEngine:
    return DuckDBEngine(store)


def _bigquery_rows(table: BigQueryTable, query: Query) -> Any:
    done = answer(table, query)
    return done.rows, done.rows_before_limit


def _label(q: Query) -> str:
    return f"{'+'.join(d.value for d in q.dimensions)}|{q.period}|{q.installers}|{q.limit}"


def test_matrix_is_wide_enough() -> None:
    assert len(MATRIX) >= 20
    assert {q.period for q in MATRIX} == set(PERIODS)
    assert {str(q.installers) for q in MATRIX} == {"all", "pip", "no-mirrors", "pip,uv"}
    assert set(itertools.chain.from_iterable(q.dimensions for q in MATRIX)) == set(Field)


@pytest.mark.parametrize("query", MATRIX, ids=_label)
def test_same_rows_as_duckdb(query: Query, table: BigQueryTable, duck: DuckDBEngine) -> None:
    expected = duck.run(query)
    rows, before = _bigquery_rows(table, query)
    assert expected.rows, "a query with no rows cannot tell the engines apart"
    assert rows == expected.rows
    if before is not None:
        assert before == expected.provenance.rows_before_limit


@pytest.mark.parametrize("period", [FEB, ONE_DAY, ACROSS], ids=str)
def test_top_n_over_other_periods(period: Period, table: BigQueryTable, duck: DuckDBEngine) -> None:
    query = Query(period=period, limit=100)
    rows, before = _bigquery_rows(table, query)
    expected = duck.run(query)
    assert rows == expected.rows
    assert before == expected.provenance.rows_before_limit > 100


@pytest.mark.parametrize(
    ("spec", "expected_versions"),
    [(">=2.5,<3", ["2.5.0", "2.6.0", "2.7.0", "2.8.0", "2.9.0"]), ("~=3.0", ["3.0.0", "3.1.0"])],
)
def test_a_version_specifier_is_one_statement_grouped_by_version(
    spec: str, expected_versions: list[str], table: BigQueryTable, duck: DuckDBEngine
) -> None:
    # One billed job: the versions are grouped on, matched by packaging, summed away.
    query = Query(period=MARCH, dimensions=(F.VERSION,), project="numpy", version=spec, limit=None)
    assert matches_on_client(query)
    st = build(query)
    assert "GROUP BY 1" in st.sql and "LIMIT" not in st.sql and "version" in st.sql
    assert [(p.type, p.value) for p in st.params] == [("STRING", "numpy")]
    rows, before = _bigquery_rows(table, query)
    assert [r[0] for r in rows if r[0] in expected_versions] == [r[0] for r in rows]
    assert {r[0] for r in rows} == set(expected_versions) and before == len(rows)
    reference = Query(
        period=MARCH,
        dimensions=(F.VERSION,),
        project="numpy",
        where=(Condition(F.VERSION, Op.IN, tuple(expected_versions)),),
        limit=None,
    )
    assert rows == duck.run(reference).rows == duck.run(query).rows


@pytest.mark.parametrize(
    "dims",
    [(), (F.COUNTRY,), (F.PYVERSION, F.PERCENT3, F.PERCENT2), (F.DATE, F.COUNTRY)],
    ids=["total", "country", "percent", "date-country"],
)
@pytest.mark.parametrize("limit", [None, 3])
def test_a_specifier_sums_the_versions_away_as_duckdb_does(
    dims: tuple[Field, ...], limit: int | None, table: BigQueryTable, duck: DuckDBEngine
) -> None:
    query = Query(MARCH, dims, project="numpy", version=">=2.5,<3", limit=limit)
    rows, before = _bigquery_rows(table, query)
    expected = duck.run(query)
    assert rows == expected.rows and rows
    assert before == expected.provenance.rows_before_limit


def test_an_exact_version_is_matched_by_pep_440(table: BigQueryTable, duck: DuckDBEngine) -> None:
    # ``==2.7`` admits ``2.7.0``: binding the text "2.7" itself would find nothing.
    query = Query(period=MARCH, dimensions=(F.COUNTRY,), project="numpy", version="==2.7")
    assert matches_on_client(query)
    reference = Query(
        period=MARCH, dimensions=(F.COUNTRY,), project="numpy", where=parse_where("version=2.7.0")
    )
    rows = _bigquery_rows(table, query)[0]
    assert rows == duck.run(reference).rows == duck.run(query).rows
    assert rows


def test_user_values_are_parameters_not_sql() -> None:
    hostile = "x' OR 1=1 --"
    query = Query(period=MARCH, dimensions=(F.COUNTRY,), where=parse_where(f"country={hostile}"))
    st = build(query)
    assert hostile not in st.sql
    assert "CAST(NULLIF(country_code, '') AS STRING) = @p0" in st.sql
    assert st.params[0].value == hostile


def test_only_the_needed_columns_are_read() -> None:
    st = build(Query(period=MARCH))
    assert columns_read(st.sql) == {("timestamp",), ("file", "project")}
    st = build(Query(period=MARCH, installers=InstallerFilter.parse("pip")))
    installer = ("details", "installer", "name")
    assert columns_read(st.sql) == {("timestamp",), ("file", "project"), installer}


def test_period_bounds_are_whole_day_timestamp_literals() -> None:
    st = build(Query(period=ACROSS))
    assert (
        "WHERE timestamp >= TIMESTAMP '2026-02-20 00:00:00+00' "
        "AND timestamp < TIMESTAMP '2026-03-10 00:00:00+00'"
    ) in st.sql


def test_top_test_prints_sql_without_credentials_or_network(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "GOOGLE_APPLICATION_CREDENTIALS"}
    env["TOPPYPI_BIGQUERY_LEDGER"] = str(tmp_path / "ledger.json")
    res = run_cli("top", "--source", "bigquery:my-project", "--month", "2026-03", "--test", env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout == (
        "SELECT file.project AS project, COUNT(*) AS download_count, "
        "COUNT(*) OVER () AS _rows_before_limit\n"
        "FROM `bigquery-public-data.pypi.file_downloads`\n"
        "WHERE timestamp >= TIMESTAMP '2026-03-01 00:00:00+00' "
        "AND timestamp < TIMESTAMP '2026-04-01 00:00:00+00'\n"
        "GROUP BY 1\n"
        "ORDER BY download_count DESC, project ASC NULLS LAST\n"
        "LIMIT 15000\n"
    )
    assert not (tmp_path / "ledger.json").exists()
