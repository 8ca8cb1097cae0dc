"""The local store: ingest, roll-ups and the DuckDB engine, on real DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import ingest, store_info
from toppypi.errors import InputError
from toppypi.model.period import Period
from toppypi.model.query import Field, InstallerFilter, Query
from toppypi.operations.top import TopOptions, top_query

MARCH = Period.for_month(2026, 3)


def naive(events_dir: Path, where: str = "TRUE", limit: int = 15000) -> list[tuple[str, int]]:
    """The baseline: aggregate the raw Parquet directly."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rows = con.execute(
        f"""SELECT file.project, COUNT(*) FROM read_parquet('{events_dir}/*.parquet')
        WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {limit}"""
    ).fetchall()
    return [(r[0], int(r[1])) for r in rows]


def ranked(engine: DuckDBEngine, query: Query) -> list[tuple[str, int]]:
    res = engine.run(query)
    p, c = res.column_index("project"), res.column_index("download_count")
    return [(str(r[p]), int(r[c])) for r in res.rows]  # type: ignore[call-overload]


def between(start: str, end: str) -> str:
    lo, hi = f"TIMESTAMPTZ '{start} 00:00:00+00'", f"TIMESTAMPTZ '{end} 00:00:00+00'"
    return f"timestamp >= {lo} AND timestamp < {hi}"


MARCH_SQL = between("2026-03-01", "2026-04-01")


def test_month_top_equals_naive_scan(store: Path, events_dir: Path) -> None:
    engine = DuckDBEngine(store)
    assert "rollup_month_total" in engine.sql(top_query(TopOptions(MARCH)))
    assert ranked(engine, top_query(TopOptions(MARCH, 500))) == naive(events_dir, MARCH_SQL, 500)


@pytest.mark.parametrize(
    ("installers", "where"),
    [
        ("pip", "details.installer.name = 'pip'"),
        ("pip,uv", "details.installer.name IN ('pip', 'uv')"),
        (
            "no-mirrors",
            "(details.installer.name IS NULL OR details.installer.name NOT IN "
            "('bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi'))",
        ),
    ],
)
def test_installer_filters(store: Path, events_dir: Path, installers: str, where: str) -> None:
    engine = DuckDBEngine(store)
    q = top_query(TopOptions(MARCH, limit=300, installers=InstallerFilter.parse(installers)))
    assert ranked(engine, q) == naive(events_dir, f"{MARCH_SQL} AND {where}", 300)


def test_partial_period_uses_daily_rollup(store: Path, events_dir: Path) -> None:
    engine = DuckDBEngine(store)
    period = Period(MARCH.start.replace(day=5), MARCH.start.replace(day=11))
    q = top_query(TopOptions(period, limit=200))
    assert "rollup_day_project" in engine.sql(q)
    where = between("2026-03-05", "2026-03-12")
    assert ranked(engine, q) == naive(events_dir, where, 200)


def test_period_spanning_two_months(store: Path, events_dir: Path) -> None:
    engine = DuckDBEngine(store)
    period = Period(Period.for_month(2026, 2).start, MARCH.end)
    where = between("2026-02-01", "2026-04-01")
    assert ranked(engine, top_query(TopOptions(period, limit=100))) == naive(events_dir, where, 100)


def test_other_fields_fall_back_to_raw_events(store: Path) -> None:
    engine = DuckDBEngine(store)
    q = Query(period=MARCH, dimensions=(Field.SYSTEM,), limit=None)
    assert "read_parquet" in engine.sql(q)
    res = engine.run(q)
    assert [r[0] for r in res.rows][:3] == ["Linux", None, "Windows"]  # mirrors send no system
    total = sum(int(r[1]) for r in res.rows)  # type: ignore[call-overload]
    assert total == sum(c for _, c in ranked(engine, top_query(TopOptions(MARCH, None))))


def test_rows_before_limit_and_freshness(store: Path, events_dir: Path) -> None:
    engine = DuckDBEngine(store)
    res = engine.run(top_query(TopOptions(MARCH, 10)))
    assert len(res.rows) == 10
    assert res.provenance.rows_before_limit == len(naive(events_dir, MARCH_SQL, 1_000_000))
    assert str(engine.freshness()) == "2026-03-31"


def test_reingest_is_skipped(store: Path, events_dir: Path) -> None:
    before = store_info(store)
    again = ingest(store, sorted(events_dir.glob("*.parquet")))
    assert all(f.skipped for f in again)
    assert store_info(store) == before


def _snapshot_of(db: Path) -> bytes:
    con = duckdb.connect(str(db), read_only=True)
    data = repr(
        [
            con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("ingested_files", "rollup_month_project", "rollup_day_project")
        ]
    ).encode()
    con.close()
    return data


def test_truncated_parquet_leaves_store_unchanged(
    store: Path, events_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(store, db)
    before = _snapshot_of(db)
    src = sorted(events_dir.glob("*.parquet"))[0]
    bad = tmp_path / "truncated.parquet"
    bad.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    with pytest.raises(InputError, match=r"truncated\.parquet"):
        ingest(db, [bad])
    assert _snapshot_of(db) == before
    assert (
        not list((tmp_path / "s.duckdb.events").glob("*"))
        if (tmp_path / "s.duckdb.events").exists()
        else True
    )


def test_jsonl_matches_parquet(tmp_path: Path) -> None:
    from toppypi.sample import SampleSpec, write_sample

    spec = SampleSpec(
        Period(MARCH.start, MARCH.start.replace(day=3)), events=3000, projects=50, seed=7
    )
    write_sample(spec, tmp_path / "e.parquet")
    write_sample(spec, tmp_path / "e.jsonl", fmt="jsonl")
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    ingest(a, [tmp_path / "e.parquet"])
    ingest(b, [tmp_path / "e.jsonl"])
    q = top_query(TopOptions(spec.period, limit=None))
    assert ranked(DuckDBEngine(a), q) == ranked(DuckDBEngine(b), q)
    assert sum(c for _, c in ranked(DuckDBEngine(a), q)) == 3000


def test_wrong_schema_jsonl_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"when": "2026-03-01", "pkg": "x"}\n')
    db = tmp_path / "s.duckdb"
    with pytest.raises(InputError, match=r"bad\.jsonl"):
        ingest(db, [bad])
    assert not db.exists()  # a refused first ingest leaves no store behind


def test_sample_is_deterministic(tmp_path: Path) -> None:
    from toppypi.sample import SampleSpec, write_sample

    spec = SampleSpec(MARCH, events=5000, projects=100, seed=3)
    write_sample(spec, tmp_path / "a.parquet")
    write_sample(spec, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_second_file_for_a_month_merges(tmp_path: Path) -> None:
    """Two files for the same month fold into one row per key, still exact."""
    from toppypi.sample import SampleSpec, write_sample

    for seed in (11, 12):
        write_sample(
            SampleSpec(MARCH, events=20_000, projects=300, seed=seed), tmp_path / f"{seed}.parquet"
        )
    db = tmp_path / "s.duckdb"
    ingest(db, [tmp_path / "11.parquet"])
    ingest(db, [tmp_path / "12.parquet"])
    engine = DuckDBEngine(db)
    assert ranked(engine, top_query(TopOptions(MARCH))) == naive(tmp_path, MARCH_SQL)
    con = engine.con
    dupes = con.execute(
        "SELECT COUNT(*) FROM (SELECT month, project FROM rollup_month_total "
        "GROUP BY ALL HAVING COUNT(*) > 1)"
    ).fetchone()
    assert dupes == (0,)
    q = top_query(TopOptions(MARCH, installers=InstallerFilter.parse("pip")))
    assert ranked(engine, q) == naive(tmp_path, f"{MARCH_SQL} AND details.installer.name = 'pip'")
