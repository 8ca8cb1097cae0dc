"""The ClickHouse engine for a ``readonly=1`` user, as ClickHouse's public ``demo`` user is.

Such a user may not change any setting (Code 164, READONLY), so the engine
sends the SQL alone. The answers must equal the default user's and DuckDB's,
whether the server quotes 64-bit integers in JSON (the default) or not.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import run_cli
from tests.support.clickhouse_server import READONLY_USER, UNQUOTED_USER, ClickHouseServer
from toppypi.engines.clickhouse.rows import RowReader
from toppypi.engines.options import DuckDBOptions
from toppypi.engines.registry import open_engine
from toppypi.model.period import Period
from toppypi.model.query import Field, Query
from toppypi.operations.top import TopOptions, top_query

pytestmark = pytest.mark.clickhouse

MARCH = Period.for_month(2026, 3)


@pytest.fixture(scope="module")
def reader(clickhouse_server: ClickHouseServer, clickhouse_source: str) -> str:
    return clickhouse_server.source_for(READONLY_USER)


def test_the_user_really_may_not_change_settings(
    clickhouse_server: ClickHouseServer, clickhouse_source: str
) -> None:
    # The control: the setting every request used to carry is refused for this user.
    resp = httpx.post(
        clickhouse_server.url,
        params={"user": READONLY_USER, "output_format_json_quote_64bit_integers": "0"},
        content=b"SELECT 1 FORMAT JSON",
        timeout=30,
    )
    assert resp.status_code != 200 and "Code: 164" in resp.text


@pytest.mark.parametrize("user", [READONLY_USER, UNQUOTED_USER])
@pytest.mark.parametrize(
    "query",
    [
        top_query(TopOptions(MARCH, limit=100)),
        top_query(TopOptions(Period(MARCH.start, MARCH.start.replace(day=9)), limit=10)),
        Query(MARCH, (Field.COUNTRY, Field.VERSION), project="boto3", limit=None),
        Query(MARCH, (Field.PYVERSION,), project="requests", version=">=3.2,<3.7"),
    ],
    ids=["top-n", "top-days", "two-fields", "specifier"],
)
def test_run_equals_the_default_user_and_duckdb(
    user: str,
    query: Query,
    clickhouse_server: ClickHouseServer,
    clickhouse_source: str,
    store: Path,
) -> None:
    with (
        open_engine(clickhouse_server.source_for(user)) as ro,
        open_engine(clickhouse_source) as default,
        open_engine("duckdb", DuckDBOptions(db=store)) as duck,
    ):
        got = ro.run(query)
        assert got.rows == default.run(query).rows == duck.run(query).rows and got.rows
        assert all(isinstance(r[-1], int) for r in got.rows)
        assert got.provenance.freshness == MARCH.end
        if query.group_fields == (Field.PROJECT,):
            before = got.provenance.rows_before_limit
            assert isinstance(before, int) and before > len(got.rows)


@pytest.mark.parametrize("user", [READONLY_USER, UNQUOTED_USER])
def test_the_full_list_streams_for_a_readonly_user(
    user: str, clickhouse_server: ClickHouseServer, clickhouse_source: str, store: Path
) -> None:
    query = top_query(TopOptions(MARCH, limit=None))
    with (
        open_engine(clickhouse_server.source_for(user)) as ro,
        open_engine("duckdb", DuckDBOptions(db=store)) as duck,
    ):
        batches = list(ro.stream(query, batch_rows=500))
        expected = duck.run(query).rows
    assert len(batches) > 1 and all(len(b) <= 500 for b in batches)
    assert [r for b in batches for r in b] == expected


def test_top_and_the_full_list_on_the_command_line(
    reader: str, store: Path, tmp_path: Path
) -> None:
    month = ("--month", "2026-03", "--format", "csv")
    duck = run_cli("top", *month, "--db", str(store), "--limit", "0")
    out = tmp_path / "all.csv"
    full = run_cli("top", *month, "--source", reader, "--limit", "0", "-o", str(out))
    assert full.returncode == 0, full.stderr
    assert out.read_text() == duck.stdout and duck.stdout.count("\n") > 2900
    top = run_cli("top", *month, "--source", reader, "--limit", "20")
    assert top.returncode == 0, top.stderr
    assert top.stdout.splitlines() == duck.stdout.splitlines()[:21]


def test_counts_parse_quoted_or_not() -> None:
    reader = RowReader(("project", "download_count"), ("project", "download_count"), "h")
    meta = [{"name": "project", "type": "String"}, {"name": "download_count", "type": "Int64"}]
    big = 2**63 - 1
    data = [
        {"project": "a", "download_count": str(big)},
        {"project": "b", "download_count": 12},
        {"project": "", "download_count": "0"},
    ]
    assert reader.from_json(meta, data) == [("a", big), ("b", 12), (None, 0)]
    for bad in ("1.5", "12abc", True, None, ""):
        with pytest.raises(Exception, match="malformed reply"):
            reader.from_json(meta, [{"project": "a", "download_count": bad}])
