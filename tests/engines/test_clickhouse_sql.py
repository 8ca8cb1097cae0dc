"""Literals for a server without query parameters, and ``--source`` parsing."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from tests.conftest import run_cli
from tests.support.clickhouse_server import ClickHouseServer
from toppypi.engines.clickhouse import sql
from toppypi.engines.clickhouse.planner import build
from toppypi.engines.clickhouse.source import PASSWORD_ENV, PUBLIC_URL, parse_source
from toppypi.errors import UsageError
from toppypi.model.period import Period
from toppypi.model.query import Field, InstallerFilter, Query, parse_where

INJECTIONS = [
    "x' OR '1'='1",
    "x'; DROP TABLE pypi.pypi_downloads_per_day; --",
    "x' UNION SELECT name, 1 FROM system.tables --",
    "x\\' OR 1=1 --",
    "x\\",
    "\\\\'",
    "x /* comment */ y",
    "x -- comment",
    "x\n-- newline then comment\nSELECT 1",
    "a\tb\rc\0d",
    "'; SELECT * FROM system.users; '",
    "x' FORMAT JSON --",
    "\x1b[31mred",
    "unicode é ✓ 𝄞",
    "' || '",
    "%27 OR 1=1",
    "x\\x27 OR 1=1",
    "''''",
    "x'",
    "${x} {x:String}",
]


def test_string_literals_stay_inside_their_quotes() -> None:
    assert sql.string("it's") == "'it\\'s'"
    assert sql.string("a\\b") == "'a\\\\b'"
    assert sql.string("a\nb") == "'a\\x0Ab'"
    for value in INJECTIONS:
        lit = sql.string(value)
        body = lit[1:-1]
        # Every quote inside is escaped by an odd run of backslashes.
        for i, ch in enumerate(body):
            if ch == "'":
                run = len(body[:i]) - len(body[:i].rstrip("\\"))
                assert run % 2 == 1, (value, lit)
        assert "\n" not in lit and "\0" not in lit


def test_other_literals_are_typed() -> None:
    assert sql.date(dt.date(2026, 3, 1)) == "'2026-03-01'"
    with pytest.raises(TypeError):
        sql.date("2026-03-01' OR 1=1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sql.date(dt.datetime(2026, 3, 1))
    assert sql.integer(15000) == "15000"
    with pytest.raises(TypeError):
        sql.integer("1; DROP")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sql.integer(True)
    with pytest.raises(ValueError):
        sql.ident("pypi; DROP")
    with pytest.raises(ValueError):
        sql.strings([])


def test_where_values_are_literals_in_the_sql() -> None:
    query = Query(
        Period.for_month(2026, 3),
        (Field.COUNTRY,),
        where=parse_where("country=US' OR 1=1 --"),
    )
    text = build(query, "pypi").sql
    assert "nullIf(country_code, '') = 'US\\' OR 1=1 --'" in text


@pytest.mark.clickhouse
@pytest.mark.parametrize("value", INJECTIONS)
def test_literals_read_back_exactly_on_the_real_server(
    value: str, clickhouse_server: ClickHouseServer
) -> None:
    text = f"SELECT {sql.string(value)} AS v, {sql.strings([value, 'z'])} AS t FORMAT JSON"
    resp = httpx.post(clickhouse_server.url, content=text.encode(), timeout=30)
    assert resp.status_code == 200, resp.text
    row = json.loads(resp.text)["data"]
    assert row == [{"v": value, "t": [value, "z"]}]


def test_source_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    pub = parse_source("clickhouse")
    assert (pub.url, pub.user, pub.password, pub.database) == (PUBLIC_URL, "demo", "", "pypi")
    local = parse_source("clickhouse+http://127.0.0.1:8123/?user=default&timeout=5&attempts=2")
    assert (local.url, local.user, local.timeout, local.attempts) == (
        "http://127.0.0.1:8123",
        "default",
        5.0,
        2,
    )
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    secure = parse_source("clickhouse+https://ch.example.org:8443/?user=reader&database=pypi2")
    assert secure.url == "https://ch.example.org:8443" and secure.password == "s3cret"
    assert "s3cret" not in repr(secure) and "s3cret" not in secure.label
    assert parse_source("clickhouse").password == ""  # the public user never gets it


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("clickhouse+http://u:pw@h:1/", "not in the URL"),
        ("clickhouse+http://h:1/?password=pw", "not in the URL"),
        ("clickhouse+http://h:1/?user=a&colour=red", "unknown ClickHouse URL parameter"),
        ("clickhouse+http://h:1/?user=a'b", "not a valid ClickHouse user"),
        ("clickhouse+http://h:1/?database=x;y", "not a valid ClickHouse database"),
        ("clickhouse+http://h:1/?timeout=-1", "timeout"),
        ("clickhouse+http://h:1/?attempts=99", "attempts"),
        ("clickhouse+http://h:notaport/", "cannot read ClickHouse URL"),
        ("clickhouse+http:///?user=a", "no host"),
        ("clickhouse+ftp://h/", "cannot read ClickHouse source"),
        ("clickhouse:whatever", "cannot read ClickHouse source"),
    ],
)
def test_bad_sources(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as info:
        parse_source(spec)
    assert "pw" not in str(info.value).replace("password", "")


@pytest.mark.parametrize(
    ("query", "table"),
    [
        (Query(Period.for_month(2026, 3)), "pypi_downloads_per_month"),
        (Query(Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31))), "pypi_downloads_per_month"),
        (Query(Period(dt.date(2026, 3, 1), dt.date(2026, 3, 30))), "pypi_downloads_per_day"),
        (Query(Period.for_month(2026, 3), (Field.MONTH,)), "pypi_downloads_per_month"),
        (Query(Period.for_month(2026, 3), (Field.DATE,)), "pypi_downloads_per_day"),
        (
            Query(Period.for_month(2026, 3), installers=InstallerFilter.parse("pip")),
            "pypi_downloads_per_day_by_version_by_installer_by_type",
        ),
        (
            Query(Period.for_month(2026, 3), project="requests", version="==1.*"),
            "pypi_downloads_per_day_by_version",
        ),
        (
            Query(Period.for_month(2026, 3), (Field.PYVERSION, Field.COUNTRY)),
            "pypi_downloads_per_day_by_version_by_python_by_country",
        ),
        (
            Query(Period.for_month(2026, 3), (Field.SYSTEM,), where=parse_where("country=DE")),
            "pypi_downloads_per_day_by_version_by_system_by_country",
        ),
    ],
)
def test_the_smallest_covering_table_is_chosen(query: Query, table: str) -> None:
    plan = build(query, "pypi")
    assert plan.relation == f"pypi.{table}"
    assert f"FROM pypi.{table}" in plan.sql
    assert "sum(count)" in plan.sql.lower()


def test_the_anchor_query_text() -> None:
    plan = build(Query(Period.for_month(2026, 3)), "pypi")
    assert plan.sql == (
        "SELECT SUM(count) AS download_count, project FROM pypi.pypi_downloads_per_month\n"
        "WHERE month = '2026-03-01' GROUP BY project ORDER BY download_count DESC, project ASC "
        "LIMIT 15000"
    )


def test_test_flag_prints_sql_without_a_server() -> None:
    res = run_cli("top", "--test", "--source", "clickhouse", "--month", "2026-03", "--limit", "3")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("SELECT SUM(count) AS download_count, project FROM pypi.")
    assert res.stdout.rstrip().endswith("LIMIT 3\nFORMAT JSON")


def test_a_server_exception_mid_stream_is_named() -> None:
    # ClickHouse has already sent 200 and some rows when a query fails (a memory
    # limit, a timeout): it appends the exception to the body. The error says so.
    from toppypi.engines.clickhouse.rows import RowReader
    from toppypi.errors import EngineError

    reader = RowReader(("project", "download_count"), ("project", "download_count"), "h")
    lines = [
        b"boto3\t10",
        b"Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded: "
        b"would use 9.31 GiB, e.what() = DB::Exception",
    ]
    with pytest.raises(EngineError) as info:
        list(reader.from_tsv(iter(lines), 10, check_sum=True))
    msg = str(info.value)
    assert "failed mid-reply" in msg and "Memory limit (for query) exceeded" in msg
    assert "\n" not in msg
