"""Edge cases every engine must answer alike: versions, day edges, NULLs, empty results.

One small hand-written event file (known answers) is loaded into a DuckDB store,
a real ClickHouse server (its own database) and the BigQuery fake; the same
:class:`Query` must give the same rows on each engine that accepts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.bigquery_support import BigQueryTable, answer
from tests.support.clickhouse_server import ClickHouseServer, _tsv, table_select
from toppypi.engines.clickhouse.tables import TABLES
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import ingest
from toppypi.engines.registry import open_engine
from toppypi.model.period import Period
from toppypi.model.query import Condition, Field, InstallerFilter, Op, Query, parse_where
from toppypi.model.result import Value

pytestmark = [pytest.mark.clickhouse, pytest.mark.bigquery]

F = Field
UTC = dt.UTC
AUDIT_DB = "audit"


def _at(day: str, time: str = "12:00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=UTC)


# (count, when, project, version, installer, country)
EVENTS: list[tuple[int, dt.datetime, str, str, str | None, str | None]] = [
    (10, _at("2024-03-10"), "tricky", "1.0", "pip", "US"),
    (7, _at("2024-03-10"), "tricky", "1.0.0", "pip", "US"),
    (5, _at("2024-03-10"), "tricky", "1.0+local.7", "pip", "DE"),
    (4, _at("2024-03-10"), "tricky", "1.0rc1", "pip", "DE"),
    (3, _at("2024-03-10"), "tricky", "1.0.0rc1", "uv", "DE"),
    (2, _at("2024-03-10"), "tricky", "2.0", "pip", "FR"),
    (9, _at("2024-03-10"), "tricky", "not a version", "pip", "FR"),
    # day and month edges: the last instant of January, a leap day, the first of March
    (6, _at("2024-01-31", "23:59:59.999999"), "edges", "1", "pip", "US"),
    (8, _at("2024-02-01", "00:00:00"), "edges", "1", None, "US"),
    (11, _at("2024-02-29", "23:59:59"), "edges", "1", "bandersnatch", None),
    (13, _at("2024-03-01", "00:00:00"), "edges", "1", None, ""),
    (1, _at("2024-03-31", "23:59:59.5"), "edges", "1", "pip", "US"),
    # hostile text stored in the data itself
    (4, _at("2024-04-02"), "hostile", "1", "pip", "Q'\\x\t;--"),
    (2, _at("2024-04-02"), "hostile", "2", "pip", "\u00e9\u00e8' OR '1'='1"),
]


def write_events(path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from toppypi.sample import event_schema

    records = []
    for count, when, project, version, installer, country in EVENTS:
        rec = {
            "timestamp": when,
            "country_code": country,
            "url": "/packages/x",
            "project": project,
            "file": {
                "filename": f"{project}-{version}.tar.gz",
                "project": project,
                "version": version,
                "type": "sdist",
            },
            "details": {
                "installer": {"name": installer, "version": "1"},
                "python": "3.12.1",
                "system": {"name": "Linux", "release": "6"},
            },
        }
        records.extend([rec] * count)
    pq.write_table(pa.Table.from_pylist(records, schema=event_schema()), path)
    return path


@pytest.fixture(scope="module")
def audit_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_events(tmp_path_factory.mktemp("audit") / "audit-events.parquet")


@pytest.fixture(scope="module")
def audit_store(audit_events: Path) -> Path:
    db = audit_events.parent / "audit.duckdb"
    ingest(db, [audit_events])
    return db


@pytest.fixture(scope="module")
def audit_clickhouse(clickhouse_server: ClickHouseServer, audit_events: Path) -> str:
    import duckdb

    server = clickhouse_server
    server.execute(f"CREATE DATABASE IF NOT EXISTS {AUDIT_DB}")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    relation = f"read_parquet('{audit_events}')"
    for table in TABLES:
        server.execute(table.ddl(AUDIT_DB))
        server.execute(f"TRUNCATE TABLE {AUDIT_DB}.{table.name}")
        rows = con.execute(table_select(table, relation)).fetchall()
        body = "".join("\t".join(_tsv(v) for v in r) + "\n" for r in rows).encode()
        server.execute(f"INSERT INTO {AUDIT_DB}.{table.name} FORMAT TabSeparated", body)
    con.close()
    return f"{server.source}&database={AUDIT_DB}"


@pytest.fixture(scope="module")
def audit_bigquery(audit_events: Path) -> Iterator[BigQueryTable]:
    table = BigQueryTable([audit_events])
    yield table
    table.con.close()


def _bigquery(table: BigQueryTable, query: Query) -> list[tuple[Any, ...]]:
    return answer(table, query).rows


def rows_everywhere(
    query: Query, store: Path, ch_source: str, bq: BigQueryTable
) -> dict[str, list[tuple[Value, ...]]]:
    duck = DuckDBEngine(store)
    ch = open_engine(ch_source)
    try:
        return {
            "duckdb": duck.run(query).rows,
            "clickhouse": ch.run(query).rows,
            "bigquery": _bigquery(bq, query),
        }
    finally:
        duck.close()
        ch.close()


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


MARCH_2024 = Period.for_month(2024, 3)
EMPTY_CASES = {
    "no-group-empty": Query(Period(_day("2024-05-01"), _day("2024-05-01")), (), limit=None),
    "no-group-month-empty": Query(Period.for_month(2024, 5), (), limit=None),
    "no-group-spec-empty": Query(MARCH_2024, (), project="tricky", version="==9.*"),
    "no-group-total": Query(Period.for_month(2024, 2), (), limit=None),
    "no-group-days": Query(Period(_day("2024-01-31"), _day("2024-02-01")), (), limit=None),
}


@pytest.mark.parametrize(
    ("spec", "versions"),
    [
        ("==1.0", {"1.0", "1.0.0", "1.0+local.7"}),
        ("==1.0.0", {"1.0", "1.0.0", "1.0+local.7"}),
        ("==1.0rc1", {"1.0rc1", "1.0.0rc1"}),
        ("==1.0+local.7", {"1.0+local.7"}),
        (">=1.0", {"1.0", "1.0.0", "1.0+local.7", "2.0"}),
        ("<1.0", set()),  # PEP 440: not the pre-releases of 1.0 itself
        ("!=1.0", {"1.0rc1", "1.0.0rc1", "2.0"}),
    ],
)
def test_version_specifiers_mean_pep_440_on_every_engine(
    spec: str,
    versions: set[str],
    audit_store: Path,
    audit_clickhouse: str,
    audit_bigquery: BigQueryTable,
) -> None:
    query = Query(MARCH_2024, (F.VERSION,), project="tricky", version=spec, limit=None)
    got = rows_everywhere(query, audit_store, audit_clickhouse, audit_bigquery)
    assert {r[0] for r in got["duckdb"]} == versions
    if versions:
        assert got["duckdb"][0][1] > 0
    assert got["clickhouse"] == got["duckdb"]
    assert got["bigquery"] == got["duckdb"]


EDGE_CASES: dict[str, Query] = {
    # a period spanning months, by day: the last instant of January stays in January
    "across-months-by-date": Query(
        Period(_day("2024-01-31"), _day("2024-02-01")), (F.DATE,), project="edges", limit=None
    ),
    "leap-day": Query(Period(_day("2024-02-29"), _day("2024-02-29")), (F.PROJECT,), limit=None),
    "last-day-of-month": Query(
        Period(_day("2024-03-31"), _day("2024-03-31")), (F.DATE, F.COUNTRY), limit=None
    ),
    "whole-february-leap-year": Query(Period.for_month(2024, 2), (F.PROJECT,), limit=None),
    "three-months-by-month": Query(
        Period(_day("2024-01-01"), _day("2024-03-31")), (F.MONTH, F.PROJECT), limit=None
    ),
    "no-mirrors-keeps-missing-installers": Query(
        Period(_day("2024-01-31"), _day("2024-03-01")),
        (F.INSTALLER,),
        installers=InstallerFilter.parse("no-mirrors"),
        limit=None,
    ),
    "no-mirrors-top": Query(
        Period.for_month(2024, 2), installers=InstallerFilter.parse("no-mirrors"), limit=None
    ),
    "missing-country-is-null": Query(Period.for_month(2024, 3), (F.COUNTRY,), project="edges"),
    "country-ne-skips-missing": Query(
        Period(_day("2024-01-01"), _day("2024-03-31")),
        (F.COUNTRY,),
        where=parse_where("country!=FR"),
        limit=None,
    ),
    "where-prerelease-version": Query(
        MARCH_2024, (F.COUNTRY,), where=parse_where("version IN 1.0rc1,1.0.0rc1"), limit=None
    ),
    "where-leap-date": Query(
        Period.for_month(2024, 2), (F.PROJECT,), where=parse_where("date=2024-02-29"), limit=None
    ),
    "where-month-in": Query(
        Period(_day("2024-01-01"), _day("2024-03-31")),
        (F.PROJECT,),
        where=parse_where("month IN 2024-01,2024-03"),
        limit=None,
    ),
    "where-year-ne": Query(
        Period(_day("2024-01-01"), _day("2024-03-31")),
        (F.MONTH,),
        where=parse_where("year!=2024"),
        limit=None,
    ),
    "where-project-normalised": Query(
        MARCH_2024, (F.COUNTRY,), where=parse_where("project IN Tricky,EDGES"), limit=None
    ),
    "empty-far-future": Query(
        Period(_day("2200-01-01"), _day("2200-01-02")), (F.PROJECT,), limit=None
    ),
    "empty-far-future-month": Query(Period.for_month(2300, 2), (F.PROJECT,), limit=None),
    "from-before-1970": Query(
        Period(_day("1900-01-01"), _day("2024-02-29")), (F.PROJECT,), limit=None
    ),
    "from-year-one-by-date": Query(
        Period(_day("0001-01-01"), _day("2024-01-31")), (F.DATE,), limit=None
    ),
    "ties-by-group-ascending": Query(MARCH_2024, (F.VERSION, F.COUNTRY), limit=3),
    "limit-zero-is-no-limit": Query(MARCH_2024, (F.VERSION,), limit=0),
    "order-by-a-field-with-nulls": Query(
        Period(_day("2024-01-01"), _day("2024-03-31")),
        (F.COUNTRY, F.INSTALLER),
        order=F.COUNTRY,
        limit=None,
    ),
    "ties-with-nulls": Query(
        Period(_day("2024-01-31"), _day("2024-03-31")), (F.INSTALLER, F.COUNTRY), limit=None
    ),
    "order-by-date-limit-1": Query(
        Period(_day("2024-01-01"), _day("2024-03-31")), (F.DATE,), order=F.DATE, limit=1
    ),
    "empty-period": Query(Period.for_month(2024, 5), (F.PROJECT,), limit=None),
    "empty-spec": Query(MARCH_2024, (F.VERSION,), project="tricky", version="==9.*"),
    **EMPTY_CASES,
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edges_give_the_same_rows_everywhere(
    name: str, audit_store: Path, audit_clickhouse: str, audit_bigquery: BigQueryTable
) -> None:
    query = EDGE_CASES[name]
    got = rows_everywhere(query, audit_store, audit_clickhouse, audit_bigquery)
    assert bool(got["duckdb"]) is not ("empty" in name or name == "where-year-ne"), got
    assert got["clickhouse"] == got["duckdb"], name
    assert got["bigquery"] == got["duckdb"], name


def test_edge_answers_known_by_hand(audit_store: Path) -> None:
    duck = DuckDBEngine(audit_store)
    try:
        assert duck.run(EDGE_CASES["across-months-by-date"]).rows == [
            ("2024-02-01", 8),
            ("2024-01-31", 6),
        ]
        assert duck.run(EDGE_CASES["leap-day"]).rows == [("edges", 11)]
        assert duck.run(EDGE_CASES["no-mirrors-keeps-missing-installers"]).rows == [
            (None, 21),
            ("pip", 6),
        ]
        assert duck.run(EDGE_CASES["missing-country-is-null"]).rows == [(None, 13), ("US", 1)]
        assert duck.run(EDGE_CASES["empty-period"]).rows == []
        # no group: no rows is no row, not a count of NULL (DuckDB) or 0 (ClickHouse)
        for name in [n for n in EMPTY_CASES if "empty" in n]:
            assert duck.run(EDGE_CASES[name]).rows == []
        total = Query(Period.for_month(2024, 2), (), limit=None)
        assert duck.run(total).rows == [(19,)]
    finally:
        duck.close()


HOSTILE = [
    "Q'\\x\t;--",
    "\u00e9\u00e8' OR '1'='1",
    "x' OR 1=1 --",
    "x\\' OR 1=1 --",
    "x\\",
    "'; DROP TABLE pypi_downloads_per_day; --",
    "a\x00b",
    "a\nb",
    "`x`",
    "@p0",
    "?",
    "$1",
    "{x:String}",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_where_values_are_data_on_every_engine(
    value: str, audit_store: Path, audit_clickhouse: str, audit_bigquery: BigQueryTable
) -> None:
    period = Period.for_month(2024, 4)
    for cond in (Condition(F.COUNTRY, Op.EQ, (value,)), Condition(F.COUNTRY, Op.IN, (value, "US"))):
        query = Query(period, (F.PROJECT, F.COUNTRY), where=(cond,), limit=None)
        got = rows_everywhere(query, audit_store, audit_clickhouse, audit_bigquery)
        expected = [("hostile", value, 4 if value.startswith("Q") else 2)]
        assert got["duckdb"] == (expected if value in HOSTILE[:2] else [])
        assert got["clickhouse"] == got["duckdb"]
        assert got["bigquery"] == got["duckdb"]
    ne = Query(period, (F.COUNTRY,), where=(Condition(F.COUNTRY, Op.NE, (value,)),))
    got = rows_everywhere(ne, audit_store, audit_clickhouse, audit_bigquery)
    assert got["clickhouse"] == got["duckdb"] == got["bigquery"]
    assert sum(r[1] for r in got["duckdb"]) == (
        6 - 4 if value.startswith("Q") else 6 - 2 if value in HOSTILE[:2] else 6
    )


def test_a_huge_where_value_is_one_line_on_clickhouse(audit_clickhouse: str) -> None:
    from tests.conftest import run_cli

    res = run_cli(
        "query", "--source", audit_clickhouse, "--month", "2024-04", "--all",
        "--where", "country=" + "x" * 5000, "", "country",
    )  # fmt: skip
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_the_largest_limit_works_everywhere_and_a_larger_one_is_refused(
    audit_store: Path, audit_clickhouse: str, audit_bigquery: BigQueryTable
) -> None:
    from toppypi.errors import QueryError

    big = Query(MARCH_2024, (F.VERSION,), limit=2**63 - 1)
    got = rows_everywhere(big, audit_store, audit_clickhouse, audit_bigquery)
    assert got["duckdb"] and got["clickhouse"] == got["duckdb"] == got["bigquery"]
    with pytest.raises(QueryError, match="limit"):
        Query(MARCH_2024, (F.VERSION,), limit=2**63)


@pytest.mark.parametrize(
    "period",
    [
        ["--start-date", "9999-12-31", "--end-date", "9999-12-31"],
        ["--month", "9999-12"],
        ["--start-date", "-999999999"],
        ["--days", "999999999"],
    ],
    ids=["last-day", "last-month", "far-offset", "many-days"],
)
@pytest.mark.parametrize("source", ["bigquery:my-project", "duckdb"])
def test_periods_at_the_calendar_edge_are_one_line_errors(
    period: list[str], source: str, audit_store: Path, tmp_path: Path
) -> None:
    from tests.conftest import run_cli

    store = ["--db", str(audit_store)] if source == "duckdb" else []
    res = run_cli(
        "query", "--source", source, *store, "--test", *period, "", "country",
        env={"TOPPYPI_BIGQUERY_LEDGER": str(tmp_path / "l.json")},
    )  # fmt: skip
    assert res.returncode == 2, res.stdout
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_a_specifier_without_a_project_is_refused_by_every_engine_alike() -> None:
    # DuckDB refused it while ClickHouse and BigQuery listed every project's versions.
    from toppypi.errors import QueryError

    with pytest.raises(QueryError, match="needs a project"):
        Query(MARCH_2024, (F.VERSION,), version="==1.*")


def test_ordering_by_a_field_not_asked_for_is_refused() -> None:
    # DuckDB failed with a BinderException traceback (ORDER BY a column not selected).
    from toppypi.errors import QueryError

    with pytest.raises(QueryError, match="order"):
        Query(MARCH_2024, (F.COUNTRY,), order=F.DATE)
    assert Query(MARCH_2024, (F.COUNTRY, F.DATE), order=F.DATE).order is F.DATE
