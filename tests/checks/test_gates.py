"""Quality gates: the real bad months are refused, good ones pass, bad files never land."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.datasets import run_update, write_month
from tests.support.history_data import doubled_csv, export_clickhouse_json
from toppypi.checks import Severity
from toppypi.checks.drift import check_drift
from toppypi.checks.gates import run_gates
from toppypi.checks.structure import check_structure
from toppypi.dataset import Dataset
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.errors import CheckFailed
from toppypi.model.period import Period
from toppypi.model.ranking import Methodology, Ranking
from toppypi.operations.top import TopOptions, rank

BOTS = ("cloudflare", "acme", "certbot-dns-cloudflare")


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_check_refuses_the_july_2025_bot_month(shared_history: Path, tmp_path: Path) -> None:
    prev = export_clickhouse_json("2025-07-05", tmp_path / "prev" / "top-pypi-packages.json")
    bad = export_clickhouse_json("2025-08-01", tmp_path / "top-pypi-packages.json")
    res = run_cli("check", str(bad), "--against", str(prev))
    assert res.returncode == 4, res.stdout + res.stderr
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("toppypi: error: ")
    for name in BOTS:
        assert f"{name} (rank" in err
    assert "anomaly" in err and "boto3" not in err
    res = run_cli("check", str(bad), "--against", str(prev), "--json")
    report = json.loads(res.stdout)
    assert res.returncode == 4 and report["passed"] is False
    failed = [f for f in report["findings"] if f["severity"] == "fail"]
    assert [f["check"] for f in failed] == ["anomaly"]


def test_check_passes_the_published_2026_04_sample(shared_history: Path, tmp_path: Path) -> None:
    sample = shared_history / "samples/clickhouse-2026-04-01/top-pypi-packages.json"
    res = run_cli("check", str(sample))
    assert res.returncode == 0, res.stderr
    prev = export_clickhouse_json("2026-03-01", tmp_path / "top-pypi-packages.json")
    res = run_cli("check", str(sample), "--against", str(prev), "--json")
    assert res.returncode == 0, res.stdout
    report = json.loads(res.stdout)
    assert report["passed"] is True
    assert {f["check"] for f in report["findings"]} >= {"completeness", "structure", "drift"}


def test_check_refuses_the_doubled_csv(shared_history: Path, tmp_path: Path) -> None:
    csv_file = doubled_csv(tmp_path / "top-pypi-packages-30-days.csv")
    assert len(csv_file.read_text().splitlines()) == 16_002
    res = run_cli("check", str(csv_file), "--date", "2024-08-30", "--json")
    assert res.returncode == 4
    failed = [f["message"] for f in json.loads(res.stdout)["findings"] if f["severity"] == "fail"]
    assert failed == ["line 8002: the header repeats: two dumps in one file"]


def test_replay_figures(shared_history: Path) -> None:
    """The tuned thresholds on all 260 snapshots: the figures BENCHMARKS.md records."""
    res = run_cli("check", "--replay", str(shared_history), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    flagged = {(f["window_days"], f["snapshot"]) for f in out["flagged"]}
    assert flagged == {(30, "2021-08-01"), (30, "2024-06-01"), (30, "2025-08-01")}
    fig = out["figures"]
    assert (fig["snapshots"], fig["true_positives"], fig["false_positives"]) == (260, 1, 2)
    assert fig["passed_others"] >= 0.95 and fig["doubled_csv_flagged"] == 1
    bots = next(f for f in out["flagged"] if f["snapshot"] == "2025-08-01")
    assert all(n in bots["failures"][0]["message"] for n in BOTS)


# --- bad files to import: one line, archive unchanged ---------------------------------------

GOOD = '{"last_update": "2026-02-01 06:00:00", "source": "ClickHouse", "rows": [%s]}'


def _good(tmp: Path) -> Path:
    rows = ",".join(f'{{"download_count": {1000 - i}, "project": "p{i}"}}' for i in range(20))
    p = tmp / "good.json"
    p.write_text(GOOD % rows)
    return p


BAD = {
    "truncated.json": (
        b'{"last_update": "2026-03-01 06:00:00", "rows": [{"download_c',
        "invalid JSON",
    ),
    "keys.json": (
        b'{"last_update": "2026-03-01 06:00:00", "rows": [{"downloads": 5, "name": "x"}]}',
        "row 1 lacks 'project' or 'download_count'",
    ),
    "negative.json": (
        b'{"last_update": "2026-03-01 06:00:00", "source": "ClickHouse", '
        b'"rows": [{"download_count": 9, "project": "a"}, {"download_count": -5, "project": "b"}]}',
        "row 2: download_count -5 is not a count",
    ),
    "dupes.json": (
        b'{"last_update": "2026-03-01 06:00:00", "source": "ClickHouse", '
        b'"rows": [{"download_count": 9, "project": "Foo_Bar"}, '
        b'{"download_count": 5, "project": "foo-bar"}]}',
        "project 'foo-bar' appears twice (rows 1 and 2)",
    ),
    "latin1.csv": (b'download_count,project\n10,"caf\xe9"\n', "not UTF-8 text"),
    "negative.csv.gz": (b"", "not a valid"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_dump_leaves_archive_unchanged(name: str, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    good = _good(tmp_path)
    assert run_cli("history", "import", str(good), "--dataset", str(ds)).returncode == 0
    before = tree(ds / "archive")
    bad = tmp_path / name
    data, message = BAD[name]
    if name.endswith(".gz"):
        import gzip

        text = "snapshot,window_days,rank,project,download_count\n2019-01-04,30,1,pip,-3\n"
        bad.write_bytes(gzip.compress(text.encode(), mtime=0))
        message = "line 2: download_count -3 is negative"
    else:
        bad.write_bytes(data)
    extra = ["--date", "2026-03-01"] if name.endswith(".csv") else []
    res = run_cli("history", "import", str(good), str(bad), "--dataset", str(ds), *extra)
    assert res.returncode == 2, res.stderr
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err and message in err, err
    assert "Traceback" not in res.stderr
    assert tree(ds / "archive") == before


def test_import_refuses_the_doubled_csv(shared_history: Path, tmp_path: Path) -> None:
    csv_file = doubled_csv(tmp_path / "top-pypi-packages-30-days.csv")
    res = run_cli(
        "history",
        "import",
        str(csv_file),
        "--date",
        "2024-08-30",
        "--dataset",
        str(tmp_path / "ds"),
    )
    assert res.returncode == 2
    assert "line 8002: the header repeats: two dumps in one file" in res.stderr
    assert not (tmp_path / "ds" / "archive").exists()


def test_timestampless_dump_needs_a_date(tmp_path: Path) -> None:
    p = tmp_path / "top-pypi-packages.csv"
    p.write_text('download_count,project\n10,"a"\n')
    res = run_cli("history", "import", str(p), "--dataset", str(tmp_path / "ds"))
    assert res.returncode == 2 and "has no timestamp; pass --date YYYY-MM-DD" in res.stderr
    res = run_cli(
        "history", "import", str(p), "--dataset", str(tmp_path / "ds"), "--date", "2019-03-01"
    )
    assert res.returncode == 0, res.stderr
    meta = json.loads((tmp_path / "ds/archive/snapshots/30d/2019-03-01/meta.json").read_text())
    assert meta["source"] == "BigQuery/pypinfo" and meta["installers"] == "pypinfo-default"


# --- the gates as a library -------------------------------------------------------------


def ranked(names: list[str], counts: list[int], **kw: object) -> Ranking:
    return Ranking(names, counts, dt.datetime(2026, 1, 1), methodology=Methodology(**kw))  # type: ignore[arg-type]


def test_structure_refuses_a_second_ranking_appended() -> None:
    names = [f"p{i}" for i in range(30)]
    counts = [100 - i for i in range(30)]
    r = Ranking(names + names, counts + counts, dt.datetime(2026, 1, 1))
    msgs = [f.message for f in check_structure(r)]
    assert "project 'p0' appears twice (rows 1 and 31) (and 29 more)" in msgs


def test_drift_across_a_methodology_change_warns() -> None:
    names = [f"p{i}" for i in range(200)]
    prev = ranked(names, [1000 - i for i in range(200)], query_days=30)
    cur = ranked(names, [3000 - i for i in range(200)], query_days=30)
    (f,) = check_drift(cur, prev, [])
    assert f.severity is Severity.FAIL and f.message.startswith(
        "total downloads per day x3.22 against 2026-01-01"
    )
    (f,) = check_drift(cur, prev, ["installers pypinfo-default -> all"])
    assert f.severity is Severity.WARN and "known methodology change" in f.message
    report = run_gates(
        ranked(names, list(cur.counts), installers="all", query_days=30),
        [ranked(names, list(prev.counts), installers="pypinfo-default", query_days=30)],
    )
    assert report.passed
    assert [f.check for f in report.findings if f.severity is Severity.WARN] == [
        "methodology",
        "drift",
    ]


# --- update runs the gates before writing ---------------------------------------------


def test_update_refuses_an_anomaly_and_force_records_it(store: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    engine = DuckDBEngine(store)
    march = rank(engine, TopOptions(Period.for_month(2026, 3), 1000))
    leader = march.projects[0]
    # February as archived: the same ranking, but March's leader was the smallest row.
    others = [(c, p) for c, p in march.rows() if p != leader]
    feb_rows = [*others, (max(1, others[-1][0] - 1), leader)]
    feb = Ranking.of(feb_rows, dt.datetime(2026, 3, 1, 6), methodology=march.methodology)
    write_month(Dataset(ds), "2026-02", feb)
    before = tree(ds)
    with pytest.raises(CheckFailed, match=f"anomaly: .*{leader} \\(rank 1"):
        run_update(ds, engine, Period.for_month(2026, 3), limit=1000)
    assert tree(ds) == before
    cli = run_cli(
        "update", "--dataset", str(ds), "--month", "2026-03", "--db", str(store), "--limit", "1000"
    )
    assert cli.returncode == 4, cli.stderr
    lines = cli.stderr.rstrip().splitlines()
    assert lines[-1].startswith("toppypi: error: 2026-03 refused, nothing written: anomaly:")
    assert any(x.startswith("  FAIL  anomaly:") and leader in x for x in lines[:-1])
    assert "  OK    completeness: data up to 2026-03-31" in lines
    assert tree(ds) == before
    res = run_update(ds, engine, Period.for_month(2026, 3), limit=1000, force=True)
    checks = json.loads((ds / "archive/2026-03/checks.json").read_text())
    assert checks["passed"] is False and not res.report.passed
    assert any(f["check"] == "anomaly" and leader in f["message"] for f in checks["findings"])
    assert json.loads((ds / "top-pypi-packages.json").read_text())["rows"][0]["project"] == leader


def test_drift_says_why_overlap_and_churn_were_not_measured() -> None:
    names = [f"p{i}" for i in range(200)]
    small = ranked(names, [900 - i for i in range(200)], query_days=30)
    (f,) = check_drift(small, small, [])
    assert f.severity is Severity.OK
    assert f.message == (
        "x1.00 total against 2026-01-01; overlap and churn not measured: fewer than 50 of its "
        "top 1,000 had 1,000+ downloads"
    )


def test_report_summary_counts_warnings() -> None:
    from toppypi.checks import Finding, Report

    ok = Finding("structure", Severity.OK, "fine")
    warn = Finding("anomaly", Severity.WARN, "below the top 50")
    assert Report([ok]).summary() == "all checks passed"
    assert Report([ok, warn]).summary() == "passed with 1 warning"
    assert Report([warn, warn]).summary() == "passed with 2 warnings"
    fail = Finding("drift", Severity.FAIL, "x3 total")
    assert Report([warn, fail]).summary() == "drift: x3 total"


def test_check_knows_the_month_of_a_dump_in_its_own_dataset(store: Path, tmp_path: Path) -> None:
    """A dump written after its month (a backfill) is not taken for a rolling window
    ending at its timestamp, nor compared with itself: its archive folder names the month."""
    ds = tmp_path / "ds"
    engine = DuckDBEngine(store)
    for month in (2, 3):
        run_update(ds, engine, Period.for_month(2026, month), limit=300, force=True)
    for path in (
        ds / "top-pypi-packages.json",
        ds / "top-pypi-packages-30-days.min.json",
        ds / "archive/2026-03/top-pypi-packages.csv",
    ):
        res = run_cli("check", str(path), "--against", str(ds), "--json")
        findings = json.loads(res.stdout)["findings"]
        assert [f["check"] for f in findings if f["severity"] != "ok"] == [], (path, findings)
        (drift,) = [f for f in findings if f["check"] == "drift"]
        assert " against 2026-02" in drift["message"], (path, drift)
