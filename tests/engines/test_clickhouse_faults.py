"""Retries and clean failures, with a fault-injecting proxy before a real server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.clickhouse_server import ClickHouseServer, free_port
from tests.support.fault_proxy import FaultProxy
from toppypi.engines.registry import open_engine
from toppypi.errors import EngineError, UnsupportedQuery
from toppypi.model.period import Period
from toppypi.model.query import Field, InstallerFilter, Query, parse_where
from toppypi.operations.top import TopOptions, top_query

pytestmark = pytest.mark.clickhouse

MARCH = Period.for_month(2026, 3)
QUERY = top_query(TopOptions(MARCH, 10))


@pytest.fixture
def proxy(clickhouse_server: ClickHouseServer, clickhouse_source: str) -> Iterator[FaultProxy]:
    p = FaultProxy(clickhouse_server.http_port)
    try:
        yield p
    finally:
        p.close()


def _run(source: str, query: Query = QUERY) -> list[tuple[object, ...]]:
    engine = open_engine(source)
    try:
        return engine.run(query).rows
    finally:
        engine.close()


def _expected(clickhouse_source: str) -> list[tuple[object, ...]]:
    return _run(clickhouse_source)


@pytest.mark.parametrize("mode", ["500", "reset", "cut"])
def test_transient_faults_are_retried(mode: str, proxy: FaultProxy, clickhouse_source: str) -> None:
    expected = _expected(clickhouse_source)
    proxy.plan(mode, mode)
    assert _run(proxy.source(attempts=3)) == expected
    assert proxy.connections == 3


def test_a_slow_reply_times_out_and_is_retried(proxy: FaultProxy, clickhouse_source: str) -> None:
    expected = _expected(clickhouse_source)
    proxy.delay = 3.0
    proxy.plan("delay")
    assert _run(proxy.source(timeout=1, attempts=2)) == expected
    assert proxy.connections == 2


def test_500_on_every_try_fails_after_bounded_attempts(proxy: FaultProxy) -> None:
    proxy.plan(default="500")
    with pytest.raises(EngineError, match=r"HTTP 500 after 3 attempt\(s\): Code: 999"):
        _run(proxy.source(attempts=3))
    assert proxy.connections == 3


def test_truncated_body_is_an_error_never_a_short_list(proxy: FaultProxy) -> None:
    proxy.plan(default="truncate")
    with pytest.raises(EngineError, match="truncated or malformed"):
        _run(proxy.source(attempts=2))


def test_4xx_is_not_retried_and_shows_the_first_line(proxy: FaultProxy) -> None:
    with pytest.raises(EngineError, match=r"refused the query: Code: 81, .*nosuchdb") as info:
        _run(proxy.source(attempts=4, database="nosuchdb"))
    assert "\n" not in str(info.value)
    assert proxy.connections == 1


def test_unsupported_field_is_refused_before_sending(proxy: FaultProxy) -> None:
    query = Query(MARCH, (Field.CI,), project="requests")
    with pytest.raises(UnsupportedQuery, match="cannot group by field 'ci'; use --source duckdb"):
        _run(proxy.source(), query)
    assert proxy.connections == 0


def _one_line_failure(args: list[str], out: Path) -> str:
    res = run_cli(*args, "-o", str(out))
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("toppypi: error: ") and "Traceback" not in res.stderr
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]
    return lines[0]


TOP = ["top", "--month", "2026-03", "--format", "csv", "--source"]


def test_cli_unreachable_host(tmp_path: Path) -> None:
    line = _one_line_failure(
        [*TOP, "clickhouse+http://no-such-host.invalid:8123/?user=default&attempts=2"],
        tmp_path / "top.csv",
    )
    assert "cannot reach ClickHouse at http://no-such-host.invalid:8123" in line
    assert line.endswith("check the address and this machine's network (or proxy), then run again")


def test_cli_wrong_port(tmp_path: Path) -> None:
    port = free_port()
    line = _one_line_failure(
        [*TOP, f"clickhouse+http://127.0.0.1:{port}/?user=default&attempts=2"],
        tmp_path / "top.csv",
    )
    assert re.search(r"cannot reach ClickHouse .* after 2 attempt\(s\): ConnectError", line)


def test_cli_500_every_try(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.plan(default="500")
    line = _one_line_failure([*TOP, proxy.source(attempts=2)], tmp_path / "top.csv")
    assert "HTTP 500 after 2 attempt(s)" in line


def test_cli_truncated_body(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.plan(default="truncate")
    line = _one_line_failure([*TOP, proxy.source(attempts=2)], tmp_path / "top.csv")
    assert "truncated or malformed" in line


def test_cli_password_in_url_is_refused_and_not_echoed(tmp_path: Path) -> None:
    line = _one_line_failure(
        [*TOP, "clickhouse+http://u:s3cret@127.0.0.1:1/?user=default"], tmp_path / "top.csv"
    )
    assert "TOPPYPI_CLICKHOUSE_PASSWORD" in line and "s3cret" not in line


@pytest.mark.parametrize(
    "query",
    [
        Query(MARCH, (Field.PYVERSION, Field.SYSTEM), project="boto3"),
        Query(
            MARCH,
            (Field.PYVERSION,),
            project="boto3",
            version="==1.*",
            installers=InstallerFilter.parse("pip"),
        ),
        Query(MARCH, (Field.COUNTRY,), where=parse_where("installer=uv AND system=Linux")),
    ],
    ids=["two-dimensions", "with-specifier", "where"],
)
def test_a_field_combination_is_refused_before_sending_naming_the_engines(
    proxy: FaultProxy, query: Query
) -> None:

    engine = open_engine(proxy.source())
    try:
        for attempt in (lambda: engine.run(query), lambda: engine.sql(query)):
            with pytest.raises(UnsupportedQuery) as info:
                attempt()
            msg = str(info.value)
            assert "use --source duckdb or bigquery" in msg
            fields = sorted(f.value for f in query.fields_used() if f is not Field.PROJECT)
            assert all(f"'{f}'" in msg or f in msg for f in fields), msg
    finally:
        engine.close()
    assert proxy.connections == 0
