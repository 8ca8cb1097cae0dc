"""Every snapshot of both windows on the site: series, methodology markers, gaps, archive page."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.sitedata import (
    HISTORY_MONTHS,
    RLO,
    SNAPSHOTS,
    add_snapshot,
    history_rows,
    make_history,
    small,
)
from tests.support.sites import build
from toppypi.dataset import Dataset
from toppypi.site.data import read_totals, shard_of, site_key
from toppypi.site.series import load_history


@pytest.fixture(scope="module")
def hist_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hist")
    make_history(root)
    build(root)
    return root


def snapshots(root: Path) -> dict[str, list[list[object]]]:
    data: dict[str, list[list[object]]] = json.loads((root / "data/snapshots.json").read_bytes())
    return data


def test_every_snapshot_of_both_windows_is_listed(hist_site: Path) -> None:
    s = snapshots(hist_site)["s"]
    labels = [(row[0], row[1]) for row in s]
    expected_30 = [d for w, d, *_ in SNAPSHOTS if w == 30] + list(HISTORY_MONTHS)
    expected_365 = [d for w, d, *_ in SNAPSHOTS if w == 365]
    assert labels == [(30, d) for d in expected_30] + [(365, d) for d in expected_365]
    # A snapshot folder links its rows file; a calendar month its page.
    assert s[0] == [
        30, "2021-04-01", "2021-04-01", "2021-03-02", "2021-03-31", 30, "BigQuery/pypinfo",
        "pip only", "archive/snapshots/30d/2021-04-01/top-pypi-packages.csv",
    ]  # fmt: skip
    assert s[10][1:3] == ["2025-06", "2025-07-01"] and s[10][8] == "month/2025-06/index.html"
    assert snapshots(hist_site)["latest"] == 11


def test_markers_come_from_the_metadata_and_eras(hist_site: Path) -> None:
    """The three documented changes, each at the first snapshot made the new way."""
    data = snapshots(hist_site)
    s = data["s"]
    marks = [(m[0], s[int(str(m[1]))][1], m[2], m[4]) for m in data["k"]]
    assert marks == [
        (
            30,
            "2021-05-01",
            "step",
            "upstream step: pypinfo upgraded before each run from 2021-04-05",
        ),
        (30, "2024-11-26", "installers", "pip only → all installers"),
        (30, "2025-06", "source", "BigQuery/pypinfo → ClickHouse"),
    ]
    gaps = [(g[0], s[int(str(g[1]))][1], s[int(str(g[2]))][1], g[3]) for g in data["g"]]
    assert gaps == [
        (30, "2021-06-01", "2024-07-01", 1126),
        (30, "2024-07-01", "2024-08-30", 60),  # the missing August run
        (30, "2024-12-01", "2025-06-13", 194),
    ]


def test_a_new_source_marks_itself(tmp_path: Path) -> None:
    """Not a hard-coded date: a month from another engine is a methodology change too."""
    small(tmp_path)
    hist = load_history(Dataset(tmp_path), {})
    assert hist.markers == []
    add_snapshot(tmp_path, 30, "2026-05-02", "DuckDB", "pip", 30, [(5, "a"), (4, "b")])
    hist = load_history(Dataset(tmp_path), {})
    assert [(m.kind, m.text, hist.snaps[m.index].label) for m in hist.markers] == [
        ("installers", "all installers → pip only", "2026-05-02"),
        ("source", "ClickHouse → DuckDB", "2026-05-02"),
    ]
    assert [(g.before, g.after, g.days) for g in hist.gaps] == []


def test_project_series_cover_both_windows(hist_site: Path) -> None:
    shard = json.loads((hist_site / f"data/projects/{shard_of('six'):02x}.json").read_bytes())
    six = shard["p"]["six"]
    assert six[0] == "six"
    triples = [six[i : i + 3] for i in range(1, len(six), 3)]
    assert [t[0] for t in triples] == [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13]  # not in 4
    assert triples[0] == [0, 8, 20_000_000]
    assert triples[-1] == [13, 8, 20_000_011]  # the 365-day window's second snapshot
    # Hostile names keep their exact spelling in the data.
    key = site_key(RLO)
    assert key == "evil\u202egnp-exe"
    shard = json.loads((hist_site / f"data/projects/{shard_of(key):02x}.json").read_bytes())
    assert shard["p"][key][0] == RLO


def test_archive_page_lists_every_snapshot_with_its_files(hist_site: Path) -> None:
    html = (hist_site / "archive.html").read_text()
    assert html.count('<tr class="snap">') == len(SNAPSHOTS) + len(HISTORY_MONTHS)
    assert '<h2 id="w30">30-day window</h2>' in html and '<h2 id="w365">365-day window</h2>' in html
    links = re.findall(r'href="(archive/[^"]+)"', html)
    assert "archive/snapshots/365d/2021-03-01/top-pypi-packages.csv" in links
    assert "archive/snapshots/365d/2021-03-01/meta.json" in links
    assert "archive/2025-06/top-pypi-packages.parquet" in links
    for href in links:
        assert (hist_site / href).is_file(), href
    assert html.count('<tr class="mark">') == 3 and html.count('<tr class="gap">') == 3
    assert "No snapshot for 60 days, between 2024-07-01 and 2024-08-30" in html
    assert "Installers counted from 2024-11-26: pip only → all installers" in html
    # the monthly folders open their month page
    assert '<a href="month/2025-07/index.html">2025-07</a>' in html


def test_totals_in_the_header(hist_site: Path) -> None:
    """provenance.json's totals when present, else ClickHouse's rows_before_limit_at_least."""
    page = (hist_site / "month/2025-06/index.html").read_text()
    assert "<dt>Projects with downloads</dt><dd>712,345</dd>" in page
    assert "Downloads in the period" not in page and " share</dt>" not in page
    listed = sum(c for c, _ in history_rows(len(SNAPSHOTS) + 1))
    downloads = round(listed / 0.93456)  # the top 9 hold 93.5% of every download
    prov = {"totals": {"projects": 801_234, "downloads": downloads, "top_share": 0.93456}}
    (hist_site / "archive/2025-07/provenance.json").write_text(json.dumps(prov))
    try:
        build(hist_site)
        page = (hist_site / "index.html").read_text()
        assert "<dt>Projects with downloads</dt><dd>801,234</dd>" in page
        assert f"<dt>Downloads in the period</dt><dd>{downloads:,}</dd>" in page
        assert "<dt>Top 9 share</dt><dd>93.5%</dd>" in page
        # and the archive page links what publishing added to the month's folder
        assert 'href="archive/2025-07/provenance.json"' in (hist_site / "archive.html").read_text()
    finally:
        (hist_site / "archive/2025-07/provenance.json").unlink()
        build(hist_site)


@pytest.mark.parametrize(
    ("totals", "shown"),
    [
        # the dump's rows_before_limit_at_least (3) stands in for an unknown project count;
        # the share is the listed rows' (95) over all downloads, shown only when 0..1
        ({"projects": None, "downloads": None, "top_share": None}, (3, None, None)),
        ({"projects": "12", "downloads": True, "top_share": 1.5}, (3, None, None)),
        ({"projects": -1, "downloads": 10, "top_share": 0.5}, (3, 10, None)),
        ({"projects": 7, "downloads": 190, "top_share": 0.1}, (7, 190, 0.5)),
        ({}, (3, None, None)),
    ],
)
def test_totals_show_nothing_for_unknown_values(
    tmp_path: Path, totals: dict[str, object], shown: tuple[object, ...]
) -> None:
    ds = small(tmp_path)
    (ds.layout.month_dir("2026-03") / "provenance.json").write_text(json.dumps({"totals": totals}))
    t = read_totals(ds.load("2026-03"))
    assert (t.projects, t.downloads, t.top_share) == shown


def test_stray_folders_do_not_stop_the_build(tmp_path: Path) -> None:
    """archive/2026-99/ or archive/notes/ are skipped and named, never a traceback."""
    ds = small(tmp_path)
    for stray in ("2026-99", "2026-13", "notes"):
        shutil.copytree(ds.layout.month_dir("2026-03"), tmp_path / "archive" / stray)
    add_snapshot(tmp_path, 30, "2025-01-01", "BigQuery/pypinfo", "all", 30, [(3, "a")])
    for junk in ("snapshots/30d/2026-02-31", "snapshots/30d/notes", "snapshots/weekly/2025-01-08"):
        shutil.copytree(tmp_path / "archive/snapshots/30d/2025-01-01", tmp_path / "archive" / junk)
    proc = run_cli("site", "build", "--dataset", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    warned = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning: skipped")]
    assert sorted(warned) == sorted(
        f"warning: skipped {tmp_path}/archive/{rel}: not a month or snapshot folder"
        for rel in (
            "2026-13/", "2026-99/", "notes/", "snapshots/30d/2026-02-31/",
            "snapshots/30d/notes/", "snapshots/weekly/",
        )
    )  # fmt: skip
    assert "site: 2 month(s), 3 snapshot(s)" in proc.stderr
    assert not (tmp_path / "month/2026-99").exists()
    assert "2026-99" not in (tmp_path / "archive.html").read_text()
    assert (tmp_path / "archive/2026-99").is_dir()  # still there: only skipped, and named
    assert "2026-99" not in Dataset(tmp_path).months()


def test_a_broken_snapshot_is_one_line(tmp_path: Path) -> None:
    small(tmp_path)
    folder = add_snapshot(tmp_path, 30, "2025-01-01", "BigQuery/pypinfo", "all", 30, [(3, "a")])
    (folder / "meta.json").write_text("{not json")
    proc = run_cli("site", "build", "--dataset", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"{folder}/meta.json: unreadable snapshot metadata" in proc.stderr
    assert "repair or remove the folder" in proc.stderr


def test_files_publishing_writes_later_do_not_change_the_site(tmp_path: Path) -> None:
    """RELEASE.md lands after the site is built: a rebuild must not differ (killed publishes)."""
    ds = small(tmp_path)
    build(tmp_path)
    (ds.layout.month_dir("2026-03") / "RELEASE.md").write_text("# notes\n")
    (ds.layout.month_dir("2026-03") / "notes.txt").write_text("mine\n")
    assert build(tmp_path).written == []
