"""The kept history on the real published data: import, show, movers, diff, rebuild."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.history_data import history_rows, last_updates
from toppypi.dataset import Dataset
from toppypi.history.importers import read_inputs
from toppypi.model.ranking import Ranking

INDEX_DIR = ".toppypi"


def catalog(root: Path) -> list[object]:
    return Dataset(root).catalog()  # type: ignore[return-value]


def import_snapshots(root: Path, items: list[Ranking]) -> None:
    with Dataset(root).writing() as w:
        w.import_snapshots(items)


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted((root / "archive").rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def imported(shared_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ds = tmp_path_factory.mktemp("history") / "ds"
    res = run_cli("history", "import", str(shared_history), "--dataset", str(ds), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert len(out["written"]) == 260 and out["unchanged"] == []
    assert out["index"] == {"snapshots": 260, "rows": 1_459_000}
    return ds


def test_layout(imported: Path, shared_history: Path) -> None:
    entries = Dataset(imported).catalog()
    assert sum(e.window_days == 30 for e in entries) == 159
    assert sum(e.window_days == 365 for e in entries) == 101
    # ClickHouse-era snapshots are calendar months: archive/YYYY-MM, as update writes them.
    months = Dataset(imported).months()
    assert months[0] == "2025-06" and months[-1] == "2026-03" and len(months) == 10
    assert (imported / "archive/snapshots/30d/2018-02-07/meta.json").is_file()
    assert (imported / "archive/snapshots/365d/2021-04-01/top-pypi-packages.csv").is_file()
    meta = json.loads((imported / "archive/snapshots/30d/2025-05-01/meta.json").read_text())
    assert (meta["query_days"], meta["period_start"], meta["period_end"]) == (
        24,
        "2025-04-06",
        "2025-04-30",
    )
    # The newest month is the published file, byte for byte.
    sample = shared_history / "samples"
    for name in ("top-pypi-packages.json", "top-pypi-packages.min.json", "top-pypi-packages.csv"):
        assert (imported / "archive/2026-03" / name).read_bytes() == (
            sample / "clickhouse-2026-04-01" / name
        ).read_bytes()
    assert (imported / INDEX_DIR / ".gitignore").read_text() == "*\n"
    # Metadata comes from snapshots.csv: the July 2025 month keeps its real run time.
    july = json.loads((imported / "archive/2025-07/top-pypi-packages.json").read_text())
    assert july["last_update"] == last_updates()[("30", "2025-08-01")] == "2025-08-01 06:34:07"
    assert july["statistics"]["rows_read"] > 0


def test_import_twice_changes_nothing(imported: Path, shared_history: Path) -> None:
    before = tree(imported)
    res = run_cli(
        "history",
        "import",
        str(shared_history / "history-30-days.csv.gz"),
        str(shared_history / "samples/clickhouse-2026-04-01/top-pypi-packages.json"),
        "--dataset",
        str(imported),
        "--json",
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["written"] == [] and len(out["unchanged"]) == 159
    assert tree(imported) == before


def test_show_boto3_matches_the_csv(imported: Path) -> None:
    res = run_cli("history", "show", "Boto3", "--dataset", str(imported), "--json")
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    rows = history_rows(30)
    assert got["project"] == "boto3" and len(got["snapshots"]) == 159
    for point in got["snapshots"]:
        ranking = rows[point["date"]]
        expected = next(
            ((i, c) for i, (p, c) in enumerate(ranking, 1) if p == "boto3"), (None, None)
        )
        assert (point["rank"], point["download_count"]) == expected, point
        assert point["of"] == len(ranking)
    last = got["snapshots"][-1]
    assert last == {
        "snapshot": "2026-03",
        "date": "2026-04-01",
        "period": "2026-03-01/2026-03-31",
        "source": "ClickHouse",
        "rank": 1,
        "download_count": 1_880_218_825,
        "of": 15_000,
    }
    gaps = {(g["after"], g["before"]) for g in got["missing_runs"]}
    assert ("2024-07-01", "2024-08-30") in gaps and ("2024-12-01", "2025-02-01") in gaps


def test_show_table_and_unknown_project(imported: Path) -> None:
    res = run_cli("history", "show", "cloudflare", "--dataset", str(imported))
    assert res.returncode == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if x.startswith("2025-07 "))
    assert line.split() == ["2025-07", "2025-07-01..2025-07-31", "1", "2,981,525,760", "15,000"]
    assert "no snapshot for" in res.stdout
    res = run_cli("history", "show", "no-such-project-xyz", "--dataset", str(imported))
    assert res.returncode == 2 and "in none of the 159" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def _expected_movers(prev: list[tuple[str, int]], cur: list[tuple[str, int]]) -> dict[str, list]:
    pr = {p: (i, c) for i, (p, c) in enumerate(prev, 1)}
    cr = {p: (i, c) for i, (p, c) in enumerate(cur, 1)}
    new = [p for p, _ in cur if p not in pr]
    dropped = [p for p, _ in prev if p not in cr]
    both = [(p, pr[p][0] - cr[p][0], cr[p][0]) for p in cr if p in pr]
    climbers = [p for p, d, r in sorted(both, key=lambda t: (-t[1], t[2])) if d > 0][:10]
    fallers = [p for p, d, r in sorted(both, key=lambda t: (t[1], t[2])) if d < 0][:10]
    pct = [(p, (cr[p][1] - pr[p][1]) / pr[p][1], cr[p][0]) for p in cr if p in pr]
    up = [p for p, x, r in sorted(pct, key=lambda t: (-t[1], t[2])) if x > 0][:10]
    down = [p for p, x, r in sorted(pct, key=lambda t: (t[1], t[2])) if x < 0][:10]
    return {
        "new": new,
        "dropped": dropped,
        "climbers": climbers,
        "fallers": fallers,
        "climbers_percent": up,
        "fallers_percent": down,
    }


def test_movers_recent_month(imported: Path) -> None:
    res = run_cli("movers", "2026-03", "--dataset", str(imported), "--json")
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    rows = history_rows(30)
    expected = _expected_movers(rows["2026-03-01"], rows["2026-04-01"])
    assert got["before"]["snapshot"] == "2026-02" and got["after"]["snapshot"] == "2026-03"
    # February has 28 days and March 31: calendar months, not a methodology change.
    assert got["methodology_changes"] == []
    assert [m["project"] for m in got["new"]] == expected["new"]
    assert [m["project"] for m in got["dropped"]] == expected["dropped"]
    for key in ("climbers", "fallers", "climbers_percent", "fallers_percent"):
        assert [m["project"] for m in got[key]][:10] == expected[key], key
    first = got["climbers"][0]
    cur = dict(rows["2026-04-01"])
    prev = dict(rows["2026-03-01"])
    assert first["download_count"] == cur[first["project"]]
    assert first["previous_download_count"] == prev[first["project"]]
    # A pypinfo-era month with a 2024-08 gap: compared with the previous run, 2024-07-01.
    res = run_cli("movers", "2024-08-30", "--dataset", str(imported), "--json")
    assert json.loads(res.stdout)["before"]["snapshot"] == "2024-07-01"


def test_movers_table_and_diff(imported: Path, shared_history: Path) -> None:
    res = run_cli("movers", "--dataset", str(imported), "--top", "3")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("2026-03 (ClickHouse, 15,000 rows) against 2026-02")
    assert "Biggest climbers by percent" in res.stdout
    res = run_cli("diff", "2025-06-13", "2025-06", "--dataset", str(imported), "--json")
    got = json.loads(res.stdout)
    # The same wording as the gates' methodology warning: one Methodology says it.
    assert got["methodology_changes"] == [
        "window 22 -> 30 days",
        "engine BigQuery/pypinfo -> ClickHouse",
    ]
    assert (got["before"]["snapshot"], got["after"]["snapshot"]) == ("2025-06-13", "2025-06")
    sample = shared_history / "samples"
    res = run_cli(
        "diff",
        str(sample / "pypinfo-2022-05-01/top-pypi-packages-30-days.json"),
        str(sample / "clickhouse-2026-04-01/top-pypi-packages.json"),
        "--json",
    )
    got = json.loads(res.stdout)
    assert got["before"]["rows"] == 5000 and got["after"]["rows"] == 15000
    res = run_cli("movers", "1999-01", "--dataset", str(imported))
    assert res.returncode == 2 and "no 30-day snapshot for 1999-01" in res.stderr


def test_rebuild_and_stale_index(imported: Path, tmp_path: Path) -> None:
    ds = tmp_path / "copy"
    shutil.copytree(imported / "archive", ds / "archive")
    assert not Dataset(ds).layout.index.exists()
    res = run_cli("history", "rebuild", "--dataset", str(ds))
    assert res.returncode == 0 and "260 snapshot(s), 1,459,000 rows" in res.stderr
    assert not Dataset(ds).history_index().rebuilt
    shutil.rmtree(ds / "archive/snapshots/365d/2021-04-01")
    info = Dataset(ds).history_index()
    assert info.rebuilt and info.snapshots == 259


def test_import_conflict_stops_before_writing(shared_history: Path, tmp_path: Path) -> None:
    """A folder already holding other rows stops the whole import before any write."""
    ds = tmp_path / "ds"
    snaps = read_inputs([shared_history / "history-365-days.csv.gz"])
    import_snapshots(ds, snaps[:1])
    first = ds / "archive/snapshots/365d/2018-01-09/top-pypi-packages.csv"
    first.write_bytes(first.read_bytes().replace(b'"pip"', b'"pip-x"', 1))
    before = tree(ds)
    res = run_cli(
        "history", "import", str(shared_history / "history-365-days.csv.gz"), "--dataset", str(ds)
    )
    assert res.returncode == 2, res.stderr
    assert "archive/snapshots/365d/2018-01-09 already holds different rows" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert tree(ds) == before


def test_import_every_era(shared_history: Path, tmp_path: Path) -> None:
    """2018 bare list, pypinfo JSON and min JSON, ClickHouse JSON and CSV, in one import."""
    bare = tmp_path / "2018" / "top-pypi-packages.json"
    bare.parent.mkdir()
    rows = history_rows(365)["2018-01-09"]
    bare.write_text(json.dumps([{"download_count": c, "project": p} for p, c in rows], indent=1))
    sample = shared_history / "samples"
    ds = tmp_path / "ds"
    res = run_cli(
        "history",
        "import",
        str(sample / "pypinfo-2022-05-01/top-pypi-packages-30-days.json"),
        str(sample / "pypinfo-2022-05-01/top-pypi-packages-30-days.min.json"),
        str(sample / "clickhouse-2026-04-01/top-pypi-packages.json"),
        "--dataset",
        str(ds),
        "--json",
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["written"] == [
        "archive/snapshots/30d/2022-05-01",
        "archive/2026-03",
    ]
    # --date stands in only for missing timestamps: the pypinfo JSON keeps 2022-05-01.
    pypinfo_json = str(sample / "pypinfo-2022-05-01/top-pypi-packages-30-days.json")
    res = run_cli(
        "history", "import", str(bare), pypinfo_json, "--date", "2018-01-09", "--dataset", str(ds)
    )
    assert "2 snapshot(s): 1 written, 1 unchanged" in res.stderr, res.stderr
    csv_sample = str(sample / "clickhouse-2026-04-01/top-pypi-packages.csv")
    res = run_cli(
        "history", "import", csv_sample, "--date", "2026-04-01", "--dataset", str(ds), "--json"
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["unchanged"] == ["archive/2026-03"]
    meta = json.loads((ds / "archive/snapshots/365d/2018-01-09/meta.json").read_text())
    assert (meta["format"], meta["window_days"], meta["period_end"]) == (
        "pypinfo-list",
        365,
        "2018-01-08",
    )
    pypinfo = json.loads((ds / "archive/snapshots/30d/2022-05-01/meta.json").read_text())
    assert pypinfo["last_update"] == "2022-05-01 08:13:19"
    assert (
        pypinfo["query"]["estimated_cost"]
        == json.loads((sample / "pypinfo-2022-05-01/top-pypi-packages-30-days.json").read_text())[
            "query"
        ]["estimated_cost"]
    )
    csv_rows = (ds / "archive/snapshots/30d/2022-05-01/top-pypi-packages.csv").read_text()
    assert csv_rows.splitlines()[1] == '{},"{}"'.format(
        *reversed(history_rows(30)["2022-05-01"][0])
    )


def test_month_folder_without_csv_still_counts(imported: Path, tmp_path: Path) -> None:
    """A month folder holding only the JSON (written by hand or an older tool) is read from it."""
    ds = tmp_path / "ds"
    shutil.copytree(imported / "archive/2026-02", ds / "archive/2026-02")
    shutil.copytree(imported / "archive/2026-03", ds / "archive/2026-03")
    (ds / "archive/2026-03/top-pypi-packages.csv").unlink()
    res = run_cli("movers", "--dataset", str(ds), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["after"]["total_downloads"] == sum(
        c for _, c in history_rows(30)["2026-04-01"]
    )
    res = run_cli("history", "show", "boto3", "--dataset", str(ds), "--json")
    assert [p["download_count"] for p in json.loads(res.stdout)["snapshots"]] == [
        1_577_565_199,
        1_880_218_825,
    ]


def test_a_killed_import_leaves_no_staging_behind(shared_history: Path, tmp_path: Path) -> None:
    """kill -9 during an import leaves archive/.import-*/; the next import removes it."""
    ds = tmp_path / "ds"
    snaps = read_inputs([shared_history / "history-365-days.csv.gz"])
    left = ds / "archive/.import-killed/0"
    left.mkdir(parents=True)
    (left / "top-pypi-packages.csv").write_text("download_count,project\n")
    import_snapshots(ds, snaps[:1])
    assert not (ds / "archive/.import-killed").exists()
    assert [p.name for p in (ds / "archive").iterdir()] == ["snapshots"]
    (ds / "archive/.import-again").mkdir()
    import_snapshots(ds, snaps[:1])  # nothing to write: still swept
    assert not (ds / "archive/.import-again").exists()


def test_export_writes_the_whole_history_in_one_file(imported: Path, tmp_path: Path) -> None:
    import duckdb

    out = tmp_path / "history.parquet"
    res = run_cli("history", "export", "--dataset", str(imported), "-o", str(out), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == {"path": str(out), "rows": 1_459_000, "snapshots": 260}
    con = duckdb.connect()
    cols = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall()]
    assert cols == ["snapshot", "window_days", "rank", "project", "download_count", "source"]
    first = con.execute(f"SELECT * FROM '{out}' LIMIT 1").fetchone()
    assert first is not None and first[1:5] == (30, 1, "pip", 15_539_213)
    numpy = con.execute(
        f"SELECT count(*) FROM '{out}' WHERE project = 'numpy' AND window_days = 30"
    ).fetchone()
    assert numpy == (159,)
    year = tmp_path / "year.csv.gz"
    res = run_cli("history", "export", "--dataset", str(imported), "--window", "365",
                  "-o", str(year))  # fmt: skip
    assert res.returncode == 0 and "483,000 rows of 101 snapshot(s)" in res.stderr
    for bad, message in (
        (tmp_path / "x.json", "is a .parquet or a .csv.gz file"),
        (imported / "archive" / "x.parquet", "only the dataset writes under archive/"),
    ):
        res = run_cli("history", "export", "--dataset", str(imported), "-o", str(bad))
        assert res.returncode == 2 and message in res.stderr and not bad.exists()


@pytest.mark.parametrize("source", ["ClickHouse", "DuckDB", "BigQuery"])
def test_a_list_toppypi_made_reads_back_as_its_calendar_months(tmp_path: Path, source: str) -> None:
    """toppypi's dumps (any engine, ClickHouse layout) hold the month before their run,
    and its 12-month list the 12 months ending with it: never a rolling window, never
    one month labelled 365 days."""
    import datetime as dt

    from toppypi.formats import DumpFormat
    from toppypi.formats.encode import encode
    from toppypi.model.ranking import Methodology

    made = dt.datetime(2026, 11, 30, 6, 23, 9)
    r = Ranking.of([(50, "a"), (20, "b")], made, methodology=Methodology(source))
    expected = {30: ("2026-10-01", "2026-10-31", 31), 365: ("2025-11-01", "2026-10-31", 365)}
    for window, (start, end, days) in expected.items():
        dump = tmp_path / f"{window}" / "top-pypi-packages.json"
        dump.parent.mkdir()
        dump.write_bytes(encode(r, DumpFormat.JSON))
        ds = tmp_path / f"ds{window}"
        res = run_cli("history", "import", str(dump), "--window", str(window), "--dataset", str(ds))
        assert res.returncode == 0, res.stderr
        (entry,) = Dataset(ds).catalog()
        got = Dataset(ds).header(entry)
        assert got.period is not None and got.source == source
        period = got.period.start.isoformat(), got.period.end.isoformat()
        assert (*period, got.methodology.query_days) == (start, end, days)
    assert (tmp_path / "ds30" / "archive" / "2026-10" / "top-pypi-packages.json").is_file()
