"""Opening engines: typed options checked per engine, descriptions without opening, no secrets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from toppypi.engines.interface import Batch, Engine, EngineWrapper
from toppypi.engines.options import BigQueryOptions, ClickHouseOptions, DuckDBOptions
from toppypi.engines.registry import describe, display_name, open_engine
from toppypi.errors import UsageError
from toppypi.model.period import Period
from toppypi.model.query import Query
from toppypi.model.result import Provenance
from toppypi.operations.top import TopOptions, top_query

MARCH = Period.for_month(2026, 3)
SECRET = "PW-s3cr3t"


def test_describe_names_an_engine_without_opening_it() -> None:
    assert [describe(s).display_name for s in ("duckdb:x.db", "clickhouse", "bigquery:p")] == [
        "DuckDB",
        "ClickHouse",
        "BigQuery",
    ]
    assert describe("bigquery").extra == "bigquery" and describe("duckdb").extra is None
    assert not describe("bigquery").free and describe("bigquery").can_estimate
    assert describe("clickhouse+https://h:8443/?user=u").streams
    assert not describe("bigquery").streams
    assert display_name("clickhouse") == "ClickHouse" and display_name("other") == "other"


def test_options_of_another_engine_are_refused() -> None:
    with pytest.raises(UsageError, match="max_bytes is an option of the bigquery engine, not"):
        open_engine("duckdb", BigQueryOptions(max_bytes=1))
    with pytest.raises(UsageError, match="db is an option of the duckdb engine, not of clickhouse"):
        open_engine("clickhouse", DuckDBOptions(db=Path("x.duckdb")))
    with pytest.raises(UsageError, match="timeout"):
        ClickHouseOptions(timeout=0)
    with pytest.raises(UsageError, match="--budget must be 0 or more"):
        BigQueryOptions(budget=-1)


def test_typed_options_reach_their_engine(tmp_path: Path) -> None:
    ch = open_engine("clickhouse+http://127.0.0.1:9/?timeout=5", ClickHouseOptions(attempts=2))
    with ch:
        assert ch.endpoint.timeout == 5 and ch.endpoint.attempts == 2  # type: ignore[attr-defined]
    db = tmp_path / "s.duckdb"
    with open_engine("duckdb", DuckDBOptions(db=db)) as duck:
        assert duck.local_paths()[0] == db
    with pytest.raises(UsageError, match="two stores"):
        open_engine(f"duckdb:{tmp_path / 'a.duckdb'}", DuckDBOptions(db=db))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "duckdb", "--credentials", "key.json"], "--credentials is an option of "
         "--source bigquery, not duckdb"),
        (["--source", "clickhouse", "--max-bytes", "1GiB"], "--max-bytes is an option of "
         "--source bigquery, not clickhouse"),
        (["--source", "clickhouse", "--db", "x.duckdb"], "--db is an option of --source duckdb, "
         "not clickhouse"),
        (["--source", "bigquery:p", "--budget", "lots"], "cannot read 'lots' as a size"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", ["top", "query", "update"])
def test_an_option_of_another_engine_is_a_usage_error(
    command: str, args: list[str], message: str, tmp_path: Path
) -> None:
    tail = {
        "top": ["--month", "2026-03", "--test"],
        "query": ["--test", "django"],
        "update": ["--dataset", str(tmp_path / "ds"), "--month", "2026-03"],
    }[command]
    res = run_cli(command, *args, *tail)
    assert res.returncode == 2, res.stdout
    assert res.stderr.startswith(f"toppypi: error: {message}") and res.stderr.count("\n") == 1
    assert not (tmp_path / "ds").exists()


def test_values_from_the_environment_do_not_trouble_other_engines(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TOPPYPI_DB": str(tmp_path / "store.duckdb"),
        "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "key.json"),
    }
    for source in ("clickhouse", "bigquery:my-project"):
        res = run_cli("top", "--source", source, "--month", "2026-03", "--test", env=env)
        assert res.returncode == 0, res.stderr
    res = run_cli("query", "--source", "clickhouse", "--test", "django", "version", env=env)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize(
    "source",
    [
        f"clickhouse://u:{SECRET}@host",
        f"clickhouse+http://u:{SECRET}@127.0.0.1:8123/",
        f"clickhouse+https://127.0.0.1:1/?user=u&password={SECRET}",
        f"postgres://u:{SECRET}@db/x",
        f"clickhouse+http://u:{SECRET}@127.0.0.1:notaport/",
    ],
)
@pytest.mark.parametrize("command", ["top", "query"])
def test_secrets_in_a_source_are_never_printed(command: str, source: str) -> None:
    args = ["--month", "2026-03"] if command == "top" else ["-m", "2026-03", "django"]
    res = run_cli(command, "-v", "--source", source, *args)
    assert res.returncode == 2
    assert SECRET not in res.stdout + res.stderr
    assert res.stderr.startswith("toppypi: error: ") and res.stderr.count("\n") == 1


def test_provenance_keeps_no_secret() -> None:
    prov = Provenance(
        engine="clickhouse",
        endpoint=f"https://u:{SECRET}@h:8443",
        sql=f"SELECT 1 -- https://x:{SECRET}@y/?token={SECRET}",
    )
    record = prov.to_json()
    assert SECRET not in str(record)
    assert record["engine"] == "clickhouse" and record["freshness"] is None


class _Counting(Engine):
    """An engine that streams natively, counting how it was asked."""

    capabilities = describe("duckdb")

    def __init__(self) -> None:
        self.calls: list[str] = []

    def run(self, query: Query) -> object:  # type: ignore[override]
        self.calls.append("run")
        from toppypi.model.result import Result

        return Result([], [("a", 2), ("b", 1)], Provenance(engine="duckdb"))

    def sql(self, query: Query) -> str:
        return "SELECT 1"

    def stream(self, query: Query, *, batch_rows: int = 50_000) -> Iterator[Batch]:
        self.calls.append("stream")
        yield [("a", 2)]


def test_a_wrapper_cannot_lose_streaming() -> None:
    inner = _Counting()

    class Untimed(EngineWrapper):
        pass

    wrapped = Untimed(inner)
    assert list(wrapped.stream(top_query(TopOptions(MARCH)))) == [[("a", 2)]]
    assert inner.calls == ["stream"]
    assert wrapped.name == "duckdb" and wrapped.local_paths() == ()


def test_the_default_stream_is_built_on_run() -> None:
    class RunOnly(_Counting):
        stream = Engine.stream  # type: ignore[assignment]

    engine = RunOnly()
    assert list(engine.stream(top_query(TopOptions(MARCH)), batch_rows=1)) == [
        [("a", 2)],
        [("b", 1)],
    ]
    assert engine.calls == ["run"]
