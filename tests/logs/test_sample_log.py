"""`toppypi sample` writes an access log too, so the log path works offline."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import ingest
from toppypi.model.period import Period
from toppypi.model.query import Field, Query
from toppypi.sample import SampleSpec, write_sample
from toppypi.sample_log import write_sample_log

MARCH = Period.for_month(2026, 3)


def _ranking(db: Path) -> list[tuple[object, ...]]:
    engine = DuckDBEngine(db)
    try:
        return [tuple(r) for r in engine.run(Query(MARCH, (Field.PROJECT,), limit=None)).rows]
    finally:
        engine.close()


def test_the_sample_log_ranks_like_the_sample_events_of_the_same_seed(tmp_path: Path) -> None:
    spec = SampleSpec(MARCH, events=30_000, projects=400, seed=5)
    log, events = tmp_path / "access.log", tmp_path / "events.parquet"
    lines = write_sample_log(spec, log)
    write_sample(spec, events)
    (done,) = ingest(tmp_path / "a.duckdb", [log])
    ingest(tmp_path / "b.duckdb", [events])
    assert done.log is not None
    assert done.log["lines"] == lines > 30_000
    assert done.log["downloads"] == 30_000
    assert done.log["skipped"] + done.log["unparseable"] == lines - 30_000
    assert _ranking(tmp_path / "a.duckdb") == _ranking(tmp_path / "b.duckdb")


def test_the_sample_log_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    for name in ("a.log", "b.log"):
        res = run_cli(
            "sample", "--month", "2026-03", "--events", "3000", "--seed", "9", "-o",
            str(tmp_path / name),
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
    assert (tmp_path / "a.log").read_bytes() == (tmp_path / "b.log").read_bytes()
    first = (tmp_path / "a.log").read_text().splitlines()[0]
    assert '"GET /' in first and "[01/Mar/2026:" in first


def test_a_store_with_events_files_and_logs_answers_raw_fields_over_both(tmp_path: Path) -> None:
    """Parquet events (read where they are) and log downloads (rows of ids in the
    store) are one relation to the planner: a raw-field query sums over both."""
    april = Period.for_month(2026, 4)
    march_events, april_log = tmp_path / "march.parquet", tmp_path / "april.log"
    write_sample(SampleSpec(MARCH, events=4_000, projects=50, seed=3), march_events)
    write_sample_log(SampleSpec(april, events=3_000, projects=50, seed=4), april_log)
    both, only_march, only_april = (tmp_path / f"{n}.duckdb" for n in ("both", "m", "a"))
    ingest(both, [march_events, april_log])
    ingest(only_march, [march_events])
    ingest(only_april, [april_log])

    def rows(db: Path, period: Period) -> dict[object, int]:
        engine = DuckDBEngine(db)
        try:
            q = Query(period, (Field.PYVERSION,), limit=None)  # only the raw events know it
            res = engine.run(q)
            assert res.provenance.extra["relation"] == "raw events"
            return {r[0]: int(r[1]) for r in res.rows}
        finally:
            engine.close()

    spanning = Period(MARCH.start, april.end)
    expected = rows(only_march, MARCH)
    for key, n in rows(only_april, april).items():
        expected[key] = expected.get(key, 0) + n
    assert rows(both, spanning) == expected
    assert sum(expected.values()) == 7_000
