"""``update`` and ``demo``: the dataset directory, atomic and idempotent."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.datasets import run_update
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.errors import CheckFailed
from toppypi.model.period import Period


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_update_writes_layout_and_is_idempotent(store: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    engine = DuckDBEngine(store)
    run_update(ds, engine, Period.for_month(2026, 2), limit=1000)
    run_update(ds, engine, Period.for_month(2026, 3), limit=1000)
    first = tree(ds)
    assert sorted(first) == sorted(
        [
            f"archive/{m}/{n}"
            for m in ("2026-02", "2026-03")
            for n in (
                "checks.json",
                "provenance.json",
                "top-pypi-packages-all.csv.gz",
                "top-pypi-packages-all.parquet",
                "top-pypi-packages.csv",
                "top-pypi-packages.json",
                "top-pypi-packages.min.json",
                "top-pypi-packages.parquet",
            )
        ]
        + [
            f"top-pypi-packages{a}.{e}"
            for a in ("", "-30-days")
            for e in ("json", "min.json", "csv")
        ]
        + ["datapackage.json"]
    )
    assert first["top-pypi-packages.json"] == first["archive/2026-03/top-pypi-packages.json"]
    assert first["top-pypi-packages-30-days.csv"] == first["top-pypi-packages.csv"]
    obj = json.loads(first["top-pypi-packages.json"])
    counts = [r["download_count"] for r in obj["rows"]]
    assert len(counts) == 1000 and counts == sorted(counts, reverse=True)
    assert list(obj) == [
        "last_update",
        "source",
        "meta",
        "rows",
        "total_rows",
        "rows_before_limit_at_least",
        "statistics",
    ]
    # Rerunning either month, or an older month after a newer one, changes no byte.
    res = run_update(ds, engine, Period.for_month(2026, 3), limit=1000)
    assert res.unchanged and not res.written  # type: ignore[attr-defined]
    run_update(ds, engine, Period.for_month(2026, 2), limit=1000)
    assert tree(ds) == first


def test_a_month_without_data_writes_nothing(store: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    for force in (False, True):  # --force publishes a failed gate, never an empty month
        with pytest.raises(CheckFailed, match=r"no data for 2026-04 .*its data ends 2026-03-31"):
            run_update(ds, DuckDBEngine(store), Period.for_month(2026, 4), limit=100, force=force)
        assert not ds.exists()


def test_forced_month_records_the_report(tmp_path: Path) -> None:
    """The current month, retried before it ends: refused, and --force keeps the report."""
    import datetime as dt

    from toppypi.engines.duckdb.store import ingest
    from toppypi.sample import SampleSpec, write_sample

    part = Period(dt.date(2026, 4, 1), dt.date(2026, 4, 20))
    write_sample(SampleSpec(part, events=20_000, projects=300, seed=3), tmp_path / "a.parquet")
    db = tmp_path / "store.duckdb"
    ingest(db, [tmp_path / "a.parquet"])
    ds = tmp_path / "ds"
    with pytest.raises(CheckFailed, match="completeness: the engine has data up to 2026-04-20"):
        run_update(ds, DuckDBEngine(db), Period.for_month(2026, 4), limit=100)
    assert not ds.exists()
    run_update(ds, DuckDBEngine(db), Period.for_month(2026, 4), limit=100, force=True)
    checks = json.loads((ds / "archive/2026-04/checks.json").read_text())
    assert checks["passed"] is False
    assert checks["findings"][0]["check"] == "completeness"


def test_demo_end_to_end(tmp_path: Path) -> None:
    d = tmp_path / "D"
    proc = run_cli("demo", "--dir", str(d), "--events", "30000")
    assert proc.returncode == 0, proc.stderr
    for name in (
        "top-pypi-packages.json",
        "top-pypi-packages.min.json",
        "top-pypi-packages.csv",
        "top-pypi-packages-365-days.json",
        "top-pypi-packages-365-days.min.json",
        "top-pypi-packages-365-days.csv",
        "index.html",
    ):
        assert (d / name).is_file(), name
    months = sorted(p.name for p in (d / "archive").iterdir())
    assert len(months) == 3
    rows = json.loads((d / "top-pypi-packages.json").read_text())["rows"]
    assert rows and set(rows[0]) == {"project", "download_count"}
    assert [r["download_count"] for r in rows] == sorted(
        (r["download_count"] for r in rows), reverse=True
    )
    assert rows[0]["project"] in (d / "index.html").read_text()
    # what it made, as an aligned list, and how to look at the site (not from file://)
    listing = proc.stderr.split("Made in", 1)[1].splitlines()[1:]
    made = [ln for ln in listing if ln.startswith("  ")]
    assert len(made) == 10, listing
    assert any(ln.lstrip().startswith("badges/") for ln in made), made
    assert any(ln.lstrip().startswith("datapackage.json") for ln in made), made
    assert len({re.search(r"\S\s{2,}(\S)", ln).end(1) for ln in made}) == 1, made  # type: ignore[union-attr]
    assert f"toppypi site serve --dataset {d}" in proc.stderr


def test_a_killed_writers_staging_folder_is_not_swapped_in(tmp_path: Path) -> None:
    """kill -9 mid-write leaves archive/.M.staging/; the next write starts it afresh."""
    import datetime as dt

    from tests.support.datasets import write_month
    from toppypi.dataset import Dataset
    from toppypi.model.ranking import Ranking

    ds = Dataset(tmp_path)
    left = tmp_path / "archive/.2026-03.staging"
    left.mkdir(parents=True)
    (left / "top-pypi-packages-all.csv.gz").write_bytes(b"from the killed run")
    (left / "checks.json").write_text('{"passed": false}\n')
    write_month(ds, "2026-03", Ranking.of([(5, "a")], dt.datetime(2026, 4, 1)))
    assert sorted(p.name for p in (tmp_path / "archive/2026-03").iterdir()) == [
        "top-pypi-packages.csv",
        "top-pypi-packages.json",
        "top-pypi-packages.min.json",
        "top-pypi-packages.parquet",
    ]
    assert not left.exists()


def test_a_month_with_missing_days_is_refused_even_when_later_data_exists(
    tmp_path: Path,
) -> None:
    """An ingest that lost a month's last days: the store is fresh (March is there), yet
    February is incomplete. Every day of the period must have downloads."""
    import datetime as dt

    from toppypi.engines.duckdb.store import ingest
    from toppypi.operations.update import MonthRefused
    from toppypi.sample import SampleSpec, write_sample

    feb = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 25))
    write_sample(SampleSpec(feb, events=25_000, projects=500, seed=1), tmp_path / "feb.parquet")
    mar = Period.for_month(2026, 3)
    write_sample(SampleSpec(mar, events=30_000, projects=500, seed=2), tmp_path / "mar.parquet")
    db = tmp_path / "store.duckdb"
    ingest(db, [tmp_path / "feb.parquet", tmp_path / "mar.parquet"])
    ds = tmp_path / "ds"
    with pytest.raises(MonthRefused) as exc:
        run_update(ds, DuckDBEngine(db), Period.for_month(2026, 2), limit=100)
    (bad,) = exc.value.report.failures()
    assert bad.check == "completeness"
    assert bad.message == "no downloads on 3 day(s) of the period: 2026-02-26..2026-02-28"
    assert not ds.exists()
    res = run_update(ds, DuckDBEngine(db), mar, limit=100)
    assert res.report.passed
    assert res.report.findings[0].message == "data up to 2026-03-31"


def test_provenance_json_says_how_each_month_was_made(store: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    proc = run_cli(
        "update", "--dataset", str(ds), "--db", str(store), "--month", "2026-03", "--limit", "500"
    )
    assert proc.returncode == 0, proc.stderr
    prov = json.loads((ds / "archive/2026-03/provenance.json").read_text())
    assert prov["engine"] == "duckdb" and prov["endpoint"] == store.name  # no local path
    assert prov["sql"].startswith("SELECT") and "rollup_month_total" in prov["sql"]
    assert prov["period"] == {"start": "2026-03-01", "end": "2026-03-31", "days": 31}
    assert (prov["installers"], prov["limit"], prov["rows"]) == ("all", 500, 500)
    assert prov["freshness"] == "2026-03-31" and prov["toppypi_version"]
    full = prov["totals"]
    assert full["projects"] > 2900 and full["downloads"] == 120_000  # every sampled event
    assert 0 < full["top_share"] < 1
    # The site's month page points at it.
    link = 'href="archive/2026-03/provenance.json">provenance</a>'
    assert link in (ds / "index.html").read_text()
    # The store holds two months: no 12-month list, and the run says why.
    assert "12-month list skipped: no downloads in 10 month(s)" in proc.stderr
    assert "365_days" not in prov


def test_demo_leaves_the_12_month_list_and_a_valid_datapackage(tmp_path: Path) -> None:
    d = tmp_path / "D"
    proc = run_cli("demo", "--dir", str(d), "--events", "30000", "--months", "2")
    assert proc.returncode == 0, proc.stderr
    year = json.loads((d / "top-pypi-packages-365-days.json").read_text())
    month = json.loads((d / "top-pypi-packages.json").read_text())
    assert list(year) == list(month) and len(year["rows"]) > len(month["rows"])
    assert (d / "top-pypi-packages-365-days.csv").read_bytes() == (
        d
        / f"archive/{sorted(p.name for p in (d / 'archive').iterdir())[-1]}"
        / "top-pypi-packages-365-days.csv"
    ).read_bytes()
    # The year's counts are at least the month's for every project in both.
    yd = {r["project"]: r["download_count"] for r in year["rows"]}
    assert all(yd[r["project"]] >= r["download_count"] for r in month["rows"] if r["project"] in yd)
    package = json.loads((d / "datapackage.json").read_text())
    paths = [r["path"] for r in package["resources"]]
    assert "top-pypi-packages.csv" in paths and "top-pypi-packages-365-days.json" in paths
    assert all((d / p).is_file() for p in paths)
    frictionless = Path(sys.executable).with_name("frictionless")
    res = subprocess.run(
        [str(frictionless), "validate", "--json", str(d / "datapackage.json")],
        capture_output=True,
        text=True,
    )
    report = json.loads(res.stdout)
    assert report["valid"] is True, [e["message"] for e in report["errors"]][:3]
    assert report["stats"]["tasks"] == len(paths)
    # The history sees the 12-month lists as the 365-day window.
    shown = run_cli("movers", "--dataset", str(d), "--window", "365", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["after"]["window_days"] == 365


def test_months_without_downloads_are_counted_and_listed_alike(store: Path) -> None:
    """Ten months missing, five named: the rest is counted, never silently dropped."""
    from toppypi.model.query import Field
    from toppypi.operations.update import check_completeness

    engine = DuckDBEngine(store)
    try:
        period = Period(Period.for_month(2025, 4).start, Period.for_month(2026, 3).end)
        (finding,) = check_completeness(engine, period, Field.MONTH)
    finally:
        engine.close()
    assert finding.message == (
        "no downloads in 10 month(s) of the period: 2025-04, 2025-05, 2025-06, 2025-07, "
        "2025-08 and 5 more"
    )


def test_the_root_never_keeps_an_older_months_12_month_list(store: Path, tmp_path: Path) -> None:
    """The root mirrors the newest month: a month without a 12-month list (turned off,
    or skipped) takes the older one's away rather than leave it beside the new month."""
    ds = tmp_path / "ds"
    engine = DuckDBEngine(store)
    try:
        run_update(ds, engine, Period.for_month(2026, 2), limit=100)
        for ext in ("json", "min.json", "csv"):  # as a 12-month list of 2026-02 left them
            year = f"top-pypi-packages-365-days.{ext}"
            (ds / year).write_bytes((ds / f"top-pypi-packages.{ext}").read_bytes())
        told: list[str] = []
        from toppypi.dataset import Dataset
        from toppypi.operations.update import UpdateOptions, update

        update(
            Dataset(ds),
            engine,
            UpdateOptions("2026-03", limit=100, year_list=False, build_site=False),
            say=told.append,
        )
    finally:
        engine.close()
    assert not list(ds.glob("top-pypi-packages-365-days.*"))
    assert (ds / "top-pypi-packages.json").read_bytes() == (
        ds / "archive/2026-03/top-pypi-packages.json"
    ).read_bytes()
    assert any("top-pypi-packages-365-days" in line and "2026-03" in line for line in told), told
