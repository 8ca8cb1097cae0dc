"""The site build: exact data files, escaping, weight, byte-stable rebuilds, CLI."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.datasets import write_month
from tests.support.sitedata import LATEST, QUOTES, XSS, XSS_DEEP, make_dataset, small
from tests.support.sites import build, build_site
from toppypi.dataset import Dataset
from toppypi.model.ranking import Ranking
from toppypi.site.data import PROJECT_SHARDS, shard_of, site_key, spark
from toppypi.site.svg import spark_path


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    make_dataset(root)
    build(root)
    return root


def test_month_data_file_is_exact(tmp_path: Path) -> None:
    small(tmp_path)
    build(tmp_path)
    assert json.loads((tmp_path / "data/2026-03.json").read_bytes()) == {
        "month": "2026-03",
        "n": ["a", "b", "c"],
        "d": [50, 40, 5],
        "p": [1, 3, 0],
        "s": "." * 10 + "0z" + "." * 10 + "0z" + "." * 11 + "U",
    }
    # The first month has nothing to compare with: -1 everywhere.
    assert json.loads((tmp_path / "data/2026-02.json").read_bytes())["p"] == [-1, -1, -1]
    shard = json.loads((tmp_path / f"data/projects/{shard_of('b'):02x}.json").read_bytes())
    assert shard["p"]["b"] == ["b", 0, 3, 10, 1, 2, 40]  # (snapshot, rank, downloads) each
    snaps = json.loads((tmp_path / "data/snapshots.json").read_bytes())
    assert snaps == {
        "s": [
            [30, "2026-02", "2026-03-01", "2026-02-01", "2026-02-28", 28, "ClickHouse",
             "all installers", "month/2026-02/index.html"],
            [30, "2026-03", "2026-04-01", "2026-03-01", "2026-03-31", 31, "ClickHouse",
             "all installers", "month/2026-03/index.html"],
        ],
        "k": [],
        "g": [],
        "latest": 1,
    }  # fmt: skip
    assert len(list((tmp_path / "data/projects").iterdir())) == PROJECT_SHARDS
    html = (tmp_path / "index.html").read_text()
    up = '<td class="chg up"><span aria-hidden="true">▲</span><span class="vh">up </span>1</td>'
    assert up in html
    assert '<td class="chg new">new</td>' in html
    assert '<a href="https://pypi.org/project/b/"><bdi>b</bdi></a>' in html
    movers = (tmp_path / "movers.html").read_text()
    assert re.search(r'#dropped">Dropped \(1\)', movers) and "project.html?p=d" in movers


def test_spark_levels_and_path() -> None:
    assert spark([1, None, 3, 2]) == "0.zU"
    assert spark([None, None]) == ".."
    assert spark([5, 5]) == "UU"
    assert spark_path("0.zU") == "M0 18h0M20 2h0L30 10"
    assert site_key("Typing_Extensions") == "typing-extensions"
    # FNV-1a 32 of "a" is 0xe40c292c; the project page runs the same function.
    assert shard_of("a") == 0xE40C292C % PROJECT_SHARDS


def test_names_are_escaped(built: Path) -> None:
    html = (built / "index.html").read_text()
    assert "<img" not in html and "<script>window" not in html
    assert "&lt;img src=x onerror=alert(document.domain)&gt;" in html
    assert "a&#34;b&#39;&amp;c&lt;/td&gt;" in html
    # In URLs every reserved character is quoted: no name adds a path or a query.
    assert 'href="https://pypi.org/project/a%22b%27%26c%3C%2Ftd%3E/"' in html
    assert 'href="project.html?p=%3Cimg%20src%3Dx%20onerror%3Dalert%28document.domain%29%3E"' in (
        html
    )
    data = json.loads((built / f"data/{LATEST}.json").read_bytes())
    assert data["n"][41] == XSS and data["n"][76] == QUOTES and data["n"][4999] == XSS_DEEP
    for path in built.rglob("*.html"):
        text = path.read_text()
        assert "<img" not in text and "<script>window" not in text, path
        assert "http://" not in text and "//cdn" not in text, path  # nothing fetched elsewhere
        scripts = re.findall(r"<script[^>]*>", text)
        allowed = r'<script src="[./a-z]*assets/[a-z]+\.js" defer>'
        assert all(re.fullmatch(allowed, s) for s in scripts), scripts


def test_first_view_weight(built: Path) -> None:
    """index.html plus what it loads before any interaction, gzipped: at most 60 KB."""
    html = (built / "index.html").read_bytes()
    refs = re.findall(rb'(?:href|src)="(assets/[^"]+)"', html)
    assert refs == [b"assets/table.js"]  # the stylesheet is inline
    total = len(gzip.compress(html)) + sum(
        len(gzip.compress((built / r.decode()).read_bytes())) for r in refs
    )
    assert total <= 60_000, total


def test_rebuild_changes_no_byte(built: Path, tmp_path: Path) -> None:
    before = tree(built)
    assert build_site(built) == []
    assert tree(built) == before
    assert not [p for p in built.rglob("*") if p.name.endswith(".tmp")]
    # The site depends on the archive alone: built elsewhere, it is the same bytes.
    other = tmp_path / "copy"
    shutil.copytree(built / "archive", other / "archive")
    written = build_site(other)
    assert len(written) == len(build(built).files)
    site = {k: v for k, v in before.items() if not k.startswith(("archive/", "top-pypi"))}
    assert {k: v for k, v in tree(other).items() if not k.startswith("archive/")} == site


def test_no_archive_no_site(tmp_path: Path) -> None:
    assert build_site(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_layout(built: Path) -> None:
    files = set(tree(built))
    for rel in (
        "index.html",
        "movers.html",
        "project.html",
        "archive.html",
        "assets/table.js",
        "assets/project.js",
        f"data/{LATEST}.json",
        "month/2026-01/index.html",
        "month/2026-01/movers.html",
        f"month/{LATEST}/index.html",
    ):
        assert rel in files, rel
    # The archive stays the dumps' alone.
    assert not [f for f in files if f.startswith("archive/") and f.endswith(".html")]
    first = (built / "month/2026-01/movers.html").read_text()
    assert "first archived month" in first
    assert "checks failed" in (built / "month/2026-02/index.html").read_text()


def test_site_build_cli(tmp_path: Path) -> None:
    small(tmp_path)
    proc = run_cli("site", "build", "--dataset", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    n = len(build(tmp_path).files)
    assert proc.stderr == (
        f"site: 2 month(s), 2 snapshot(s), {n} files, {n} written, 0 unchanged "
        f"-> {tmp_path}/index.html\n"
    )
    proc = run_cli("site", "build", "--dataset", str(tmp_path), "--json")
    assert json.loads(proc.stdout) == {
        "dataset": str(tmp_path),
        "months": ["2026-02", "2026-03"],
        "snapshots": 2,
        "skipped": [],
        "files": n,
        "written": [],
    }
    proc = run_cli("site", "build", "--dataset", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no archive/ here" in proc.stderr


def test_update_builds_the_site(store: Path, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    args = ("update", "--dataset", str(ds), "--db", str(store), "--limit", "300")
    proc = run_cli(*args, "--month", "2026-02", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert str(ds / "index.html") in out["site_written"]
    top = json.loads((ds / "top-pypi-packages.json").read_text())["rows"][0]["project"]
    assert f"><bdi>{top}</bdi></a>" in (ds / "index.html").read_text()
    proc = run_cli(*args, "--month", "2026-02", "--json")
    assert json.loads(proc.stdout)["site_written"] == []


def test_site_title_comes_from_toppypi_toml(tmp_path: Path) -> None:
    """`[dataset] title` names every page, whoever builds the site (update, publish, site build)."""
    small(tmp_path)
    (tmp_path / "toppypi.toml").write_text('[dataset]\ntitle = "Acme <PyPI> ranking"\n')
    build_site(tmp_path)
    for page in ("index.html", "movers.html", "archive.html", "project.html"):
        text = (tmp_path / page).read_text()
        assert "Acme &lt;PyPI&gt; ranking" in text, page
        assert "Top PyPI Packages" not in text, page
    (tmp_path / "toppypi.toml").unlink()
    build_site(tmp_path)
    assert "Top PyPI Packages" in (tmp_path / "index.html").read_text()


def test_dump_links_work_without_the_root_dumps(tmp_path: Path) -> None:
    """An imported history has only archive/: every dump link on every page still resolves."""
    small(tmp_path)
    for p in tmp_path.glob("top-pypi-packages*"):
        p.unlink()
    build(tmp_path)
    pages = [tmp_path / "index.html", *sorted(tmp_path.glob("month/*/index.html"))]
    for page in pages:
        links = re.findall(r'href="([^"]*top-pypi-packages[^"]*)"', page.read_text())
        assert len(links) == 4, (page, links)  # json, min.json, csv, parquet
        for h in links:
            assert (page.parent / h).resolve().is_file(), (page, h)


def test_a_removed_month_leaves_no_stale_pages(tmp_path: Path) -> None:
    small(tmp_path)
    build(tmp_path)
    assert (tmp_path / "month/2026-02/index.html").is_file()
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "data/keep.txt").write_text("mine")
    shutil.rmtree(tmp_path / "archive/2026-02")
    build(tmp_path)
    assert not (tmp_path / "month/2026-02").exists()
    assert not (tmp_path / "data/2026-02.json").exists()
    assert (tmp_path / "month/2026-03/index.html").is_file()
    assert (tmp_path / "notes.txt").read_text() == "mine"  # only the site's own files go
    assert (tmp_path / "data/keep.txt").read_text() == "mine"
    # the site is then exactly what a fresh build from that archive writes
    other = tmp_path / "copy"
    shutil.copytree(tmp_path / "archive", other / "archive")
    build(other)
    site = {k: v for k, v in tree(tmp_path).items() if k.startswith(("month/", "data/"))}
    assert site == {k: v for k, v in tree(other).items() if k.startswith(("month/", "data/"))} | {
        "data/keep.txt": b"mine"
    }


def test_quality_status_counts_warnings(tmp_path: Path) -> None:
    """A month that passed with warnings does not read "all checks passed"."""
    from toppypi.checks import Finding, Report, Severity

    ds = Dataset(tmp_path)
    t = dt.datetime(2026, 4, 1)
    warned = Report(
        [
            Finding("structure", Severity.OK, "ok"),
            Finding("anomaly", Severity.WARN, "1 project(s) jumped at least x20 below the top 50"),
        ]
    )
    write_month(ds, "2026-02", Ranking.of([(30, "a")], t), Report([Finding("x", Severity.OK, "")]))
    write_month(ds, "2026-03", Ranking.of([(50, "a")], t), warned)
    build(tmp_path)
    assert 'class="q-ok">passed with 1 warning</dd>' in (tmp_path / "index.html").read_text()
    page = (tmp_path / "month/2026-02/index.html").read_text()
    assert 'class="q-ok">all checks passed</dd>' in page
    assert ">passed with 1 warning</td>" in (tmp_path / "archive.html").read_text()
