"""The full list: streamed into .csv/.csv.gz/Parquet, identical on both engines, never partial."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli
from tests.support.clickhouse_server import ClickHouseServer
from tests.support.datasets import run_update
from tests.support.fault_proxy import FaultProxy
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.registry import open_engine
from toppypi.errors import EngineError
from toppypi.formats import DumpFormat
from toppypi.formats.encode import encode
from toppypi.model.period import Period
from toppypi.operations.top import (
    TopOptions,
    ranking_from_result,
    stream_ranking,
    top_query,
)


def full_list_query(period: Period) -> object:
    return top_query(TopOptions(period, None))


MARCH = Period.for_month(2026, 3)
TOP = ["top", "--month", "2026-03", "--limit", "0"]


def test_duckdb_stream_equals_the_collected_dump(store: Path, tmp_path: Path) -> None:
    options = TopOptions(MARCH, None)
    query = top_query(options)
    engine = DuckDBEngine(store)
    try:
        snap = ranking_from_result(engine.run(query), options, engine)
        batches = list(engine.stream(query, batch_rows=1000))
    finally:
        engine.close()
    assert len(batches) == 3 and len(batches[0]) == 1000
    out = tmp_path / "all.csv.gz"
    res = run_cli(*TOP, "--db", str(store), "--format", "csv.gz", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == encode(snap, DumpFormat.CSV_GZ)
    res = run_cli(*TOP, "--db", str(store), "--format", "csv")
    assert res.stdout.encode() == encode(snap, DumpFormat.CSV)


def test_out_of_order_rows_are_refused() -> None:
    class Backwards:
        name = "fake"

        def stream(self, query: object, *, batch_rows: int = 1) -> Iterator[list[tuple[object]]]:
            yield [("a", 1), ("b", 2)]

    with pytest.raises(EngineError, match="out of order"):
        list(stream_ranking(Backwards(), full_list_query(MARCH)))  # type: ignore[arg-type]


@pytest.mark.clickhouse
@pytest.mark.parametrize("fmt", ["csv.gz", "parquet"])
def test_clickhouse_full_list_equals_duckdb(
    fmt: str, clickhouse_source: str, store: Path, tmp_path: Path
) -> None:
    ch, dk = tmp_path / f"ch.{fmt}", tmp_path / f"dk.{fmt}"
    a = run_cli(*TOP, "-v", "--source", clickhouse_source, "--format", fmt, "-o", str(ch))
    b = run_cli(*TOP, "--db", str(store), "--format", fmt, "-o", str(dk))
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert "GROUP BY project WITH TOTALS" in a.stderr and "FORMAT TabSeparated" in a.stderr
    if fmt == "csv.gz":
        assert ch.read_bytes() == dk.read_bytes()
        assert gzip.decompress(ch.read_bytes()).count(b"\n") > 2900
    else:
        ta, tb = pq.read_table(ch), pq.read_table(dk)
        assert ta.num_rows > 2900
        assert ta.to_pylist() == tb.to_pylist()
        assert ta.schema.metadata[b"source"] == b"ClickHouse"


@pytest.mark.clickhouse
@pytest.mark.parametrize("mode", ["truncate", "cut", "500"])
def test_a_broken_stream_leaves_no_file(
    mode: str, clickhouse_server: ClickHouseServer, clickhouse_source: str, tmp_path: Path
) -> None:
    proxy = FaultProxy(clickhouse_server.http_port, default=mode)
    out = tmp_path / "all.csv.gz"
    try:
        res = run_cli(
            *TOP, "--source", proxy.source(attempts=2), "--format", "csv.gz", "-o", str(out)
        )
    finally:
        proxy.close()
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("toppypi: error: "), res.stderr
    expected = {
        "truncate": "without its totals row (truncated)",
        "cut": "the reply broke off",
        "500": "HTTP 500 after 2 attempt(s)",
    }[mode]
    assert expected in lines[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.clickhouse
def test_stream_start_is_retried(
    clickhouse_server: ClickHouseServer, clickhouse_source: str
) -> None:
    proxy = FaultProxy(clickhouse_server.http_port)
    proxy.plan("500", "reset")
    engine = open_engine(proxy.source(attempts=3))
    try:
        rows = [r for batch in stream_ranking(engine, full_list_query(MARCH)) for r in batch]
    finally:
        engine.close()
        proxy.close()
    assert len(rows) > 2900 and proxy.connections == 3


@pytest.mark.clickhouse
def test_update_archives_the_full_list_on_both_engines(
    clickhouse_source: str, store: Path, tmp_path: Path
) -> None:
    trees = {}
    for name, engine in (
        ("clickhouse", open_engine(clickhouse_source)),
        ("duckdb", DuckDBEngine(store)),
    ):
        try:
            run_update(tmp_path / name, engine, MARCH, limit=500)
        finally:
            engine.close()
        trees[name] = tmp_path / name / "archive" / "2026-03"
    for name in ("top-pypi-packages-all.csv.gz", "top-pypi-packages.csv"):
        assert (trees["clickhouse"] / name).read_bytes() == (trees["duckdb"] / name).read_bytes()
    table = pq.read_table(trees["clickhouse"] / "top-pypi-packages-all.parquet")
    assert table.column_names == ["rank", "project", "download_count"]
    assert table.num_rows > 2900
