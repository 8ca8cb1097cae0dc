"""The DuckDB store under stress: odd paths, lost raw copies, readers during an ingest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.engines.test_cross_engine import write_events
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import events_dir, ingest
from toppypi.errors import ToppypiError
from toppypi.model.period import Period
from toppypi.model.query import Field, Query

MARCH = Period.for_month(2024, 3)
BY_COUNTRY = Query(MARCH, (Field.COUNTRY,))  # not in a roll-up: read from the raw events
EXPECTED = [("US", 18), (None, 13), ("DE", 12), ("FR", 11)]


@pytest.fixture
def odd_dir(tmp_path: Path) -> Path:
    d = tmp_path / 'it\'s a "dir" with spaces'
    d.mkdir()
    return d


def _rows(db: Path, query: Query = BY_COUNTRY) -> list[tuple[object, ...]]:
    engine = DuckDBEngine(db)
    try:
        return engine.run(query).rows
    finally:
        engine.close()


def test_a_store_path_with_quotes_and_spaces(odd_dir: Path) -> None:
    events = write_events(odd_dir / "events 'x'.parquet")
    db = odd_dir / "st'o re.duckdb"
    assert not ingest(db, [events])[0].skipped
    assert _rows(db) == EXPECTED
    assert _rows(db, Query(MARCH, (Field.PROJECT,))) == [("tricky", 40), ("edges", 14)]


@pytest.mark.parametrize("lose", ["one file", "the folder"])
def test_a_lost_raw_copy_is_a_clear_error_and_reingest_restores_it(
    odd_dir: Path, lose: str
) -> None:
    events = write_events(odd_dir / "events.parquet")
    db = odd_dir / "store.duckdb"
    sha = ingest(db, [events])[0].sha256
    if lose == "one file":
        (events_dir(db) / f"{sha}.parquet").unlink()
    else:
        shutil.rmtree(events_dir(db))
    with pytest.raises(ToppypiError, match=r"raw events .* missing.*ingest"):
        _rows(db)
    res = run_cli("query", "--db", str(db), "--month", "2024-03", "--all", "", "country")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    # the roll-ups never needed the raw copy
    assert _rows(db, Query(MARCH, (Field.PROJECT,))) == [("tricky", 40), ("edges", 14)]
    again = ingest(db, [events])[0]
    assert again.skipped  # counted once: the roll-ups are not folded twice
    assert (events_dir(db) / f"{sha}.parquet").is_file()
    assert _rows(db) == EXPECTED
    assert _rows(db, Query(MARCH, (Field.PROJECT,))) == [("tricky", 40), ("edges", 14)]


def _minimal_events(path: Path, below: str | None, above: str | None) -> Path:
    """Three events with only the columns ingest needs, whose hash sorts where asked."""
    import datetime as dt
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    when = dt.datetime(2024, 3, 5, tzinfo=dt.UTC)
    for i in range(100_000):
        rec = {
            "country_code": "JP",
            "details": {"python": "3.11.2", "installer": {"name": "uv"}},
            "file": {"project": "tricky", "version": "1.0"},
            "timestamp": when,
            "url": str(i),
        }
        pq.write_table(pa.Table.from_pylist([rec] * 3), path)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        if (below is None or sha < below) and (above is None or sha > above):
            return path
    raise AssertionError("no hash in range")


@pytest.mark.parametrize("first", ["minimal", "full"])
def test_files_with_fewer_columns_do_not_break_raw_queries(tmp_path: Path, first: str) -> None:
    from toppypi.engines.duckdb.store import file_sha256

    full = write_events(tmp_path / "full.parquet")
    sha = file_sha256(full)
    # the raw events are read in hash order; the first file's schema must not rule
    below, above = (sha, None) if first == "minimal" else (None, sha)
    minimal = _minimal_events(tmp_path / "minimal.parquet", below, above)
    db = tmp_path / "store.duckdb"
    ingest(db, [full, minimal])
    assert _rows(db, Query(MARCH, (Field.SYSTEM,))) == [("Linux", 54), (None, 3)]
    assert _rows(db, Query(MARCH, (Field.CI,))) == [(None, 57)]
    assert _rows(db, Query(MARCH, (Field.COUNTRY,))) == [*EXPECTED, ("JP", 3)]
    assert _rows(db, Query(MARCH, (Field.FILE,), project="tricky", limit=2)) == [
        ("tricky-1.0.tar.gz", 10),
        ("tricky-not a version.tar.gz", 9),
    ]


def test_rewriting_an_ingested_file_in_place_does_not_change_the_store(tmp_path: Path) -> None:
    # Tools rewrite files in place (open "wb" truncates the same inode); the
    # store's raw copy must not follow, or raw answers drift from the roll-ups.
    events = write_events(tmp_path / "events.parquet")
    db = tmp_path / "store.duckdb"
    ingest(db, [events])
    before = _rows(db)
    other = write_events(tmp_path / "other.parquet")
    data = _minimal_events(tmp_path / "minimal.parquet", None, None).read_bytes()
    with events.open("r+b") as fh:  # the same inode, new content
        fh.truncate(0)
        fh.write(data)
    assert other.read_bytes() != events.read_bytes()
    assert _rows(db) == before == EXPECTED


def test_a_query_during_an_ingest_says_the_store_is_busy(tmp_path: Path) -> None:
    from toppypi.engines.duckdb import store

    events = write_events(tmp_path / "events.parquet")
    db = tmp_path / "store.duckdb"
    ingest(db, [events])
    writer = store.connect(db)  # what an ingest holds while it runs
    try:
        res = run_cli("query", "--db", str(db), "--month", "2024-03", "--all", "", "country")
        again = run_cli("ingest", "--db", str(db), str(events))
    finally:
        writer.close()
    for out in (res, again):
        assert out.returncode != 0
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
        assert "in use by another process" in lines[0] and "try again" in lines[0]
    assert _rows(db) == EXPECTED  # nothing lost
