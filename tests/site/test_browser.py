"""The site in a real Chromium (Debian's, through Playwright), served from 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.support.sitedata import (
    HEBREW,
    LATEST,
    MONTHS,
    QUOTES,
    RARE,
    RLO,
    UNICODE,
    XSS,
    XSS_DEEP,
    N,
    make_dataset,
    make_history,
)
from tests.support.sites import build
from toppypi.site.serve import serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site")
    make_dataset(root)
    build(root)
    with serving(root) as url:
        yield url


class Watch:
    """Everything a page did that it must not: foreign requests, errors, dialogs."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", self._request)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        # Anything not for our server is refused before it leaves (and recorded above).
        page.route("**/*", self._route)

    def _request(self, req: Any) -> None:
        self.requests.append(req.url)
        if not req.url.startswith(self.base):
            self.foreign.append(req.url)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def clean(self) -> None:
        assert self.foreign == []
        assert self.errors == []
        assert self.dialogs == []


@pytest.fixture
def watch(browser: Any, site: str) -> Iterator[Watch]:
    """A fresh page; every test ends by checking it stayed local, quiet and dialog-free."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watch(ctx.new_page(), site)
    yield w
    w.clean()
    ctx.close()


@pytest.fixture
def page(watch: Watch) -> Any:
    return watch.page


def names_shown(pg: Any) -> list[str]:
    return pg.eval_on_selector_all("#rows tr:not(.sp)", "rs => rs.map(r => r.cells[1].textContent)")


def no_injection(pg: Any) -> None:
    assert pg.evaluate("window.__xss") is None
    assert pg.locator("main img:not(.badge), main script").count() == 0


def test_first_100_rows_visible(page: Any, site: str) -> None:
    pg = page
    pg.goto(site + "index.html")
    rows = pg.locator("#rows tr")
    assert rows.count() == 100
    assert rows.nth(0).is_visible() and rows.nth(99).is_visible()
    assert rows.nth(0).locator("td").nth(1).inner_text() == "boto3"
    assert rows.nth(0).locator("a").first.get_attribute("href") == "https://pypi.org/project/boto3/"
    assert f"The most-downloaded PyPI projects, {LATEST}" in pg.locator("h1").inner_text()
    meta = pg.locator(".meta").inner_text()
    assert "2026-04-01 to 2026-04-30" in meta and "2026-05-01 03:04:05 UTC" in meta
    assert "all checks passed" in meta and "ClickHouse" in meta
    # The hostile names are shown as text, not run.
    assert names_shown(pg)[41] == XSS
    assert names_shown(pg)[76] == QUOTES
    no_injection(pg)
    assert pg.locator("svg path").first.get_attribute("d")


def test_all_shows_15000_rows(page: Any, site: str) -> None:
    pg = page
    pg.goto(site + "index.html")
    pg.get_by_role("button", name=f"All {N:,}").click()
    pg.wait_for_function("() => document.getElementById('top').dataset.shown === '15000'")
    assert pg.locator("#status").inner_text() == f"All {N:,} projects."
    assert pg.get_attribute("#top", "aria-rowcount") == str(N + 1)
    # Only the rows in view are in the DOM: no 15,000 bindings.
    assert pg.locator("#rows tr:not(.sp)").count() < 150
    pg.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    pg.wait_for_function(
        "() => [...document.querySelectorAll('#rows tr:not(.sp)')].some("
        "r => r.cells[0].textContent === '15,000')"
    )
    last = pg.locator("#rows tr:not(.sp)").last
    assert last.locator("td").nth(0).inner_text() == "15,000"
    assert last.locator("td").nth(1).inner_text() == "pkg-15000"
    assert last.get_attribute("aria-rowindex") == str(N + 1)
    assert last.is_visible()
    # Row 5,000 (drawn by the script, not the server) is also text only.
    pg.evaluate(
        "window.scrollTo(0, document.getElementById('rows').getBoundingClientRect().top"
        " + window.scrollY + 4999 * document.querySelector('#rows tr:not(.sp)').offsetHeight)"
    )
    pg.wait_for_function(
        "() => [...document.querySelectorAll('#rows tr:not(.sp)')].some("
        "r => r.cells[0].textContent === '5,000')"
    )
    assert XSS_DEEP in names_shown(pg)
    no_injection(pg)


def test_top_1000_and_sort(page: Any, site: str) -> None:
    pg = page
    pg.goto(site + "index.html")
    pg.get_by_role("button", name="Project").click()
    first = names_shown(pg)[0]
    assert first == sorted(names_shown(pg), key=str.lower)[0] == XSS  # '<' sorts first
    assert pg.get_attribute("th[data-k=n]", "aria-sort") == "ascending"
    pg.get_by_role("button", name="Project").click()
    assert pg.get_attribute("th[data-k=n]", "aria-sort") == "descending"
    pg.get_by_role("button", name="Top 1,000").click()
    pg.wait_for_function("() => document.getElementById('top').dataset.shown === '1000'")
    assert pg.locator("#status").inner_text() == f"Top 1,000 of {N:,} projects."
    assert names_shown(pg)[:2] == ["requests", "pkg-01000"]  # by name, descending, in the top 1,000
    pg.get_by_role("button", name="#").click()
    assert names_shown(pg)[:2] == ["boto3", "requests"]


def test_search_finds_part_of_a_name(page: Any, site: str) -> None:
    pg = page
    pg.goto(site + "index.html")
    box = pg.get_by_label("Search projects")
    box.press_sequentially("RARE-pro")
    pg.wait_for_function("() => document.getElementById('top').dataset.shown === '1'")
    assert names_shown(pg) == [RARE]
    assert pg.locator("#rows tr:not(.sp) td").first.inner_text() == "12,345"
    assert pg.locator("#status").inner_text() == f"1 of {N:,} projects match “rare-pro”."
    box.fill("script")
    pg.wait_for_function("() => document.getElementById('top').dataset.shown === '1'")
    assert names_shown(pg) == [XSS_DEEP]
    no_injection(pg)
    box.fill("")
    pg.wait_for_function("() => document.getElementById('top').dataset.shown === '100'")


def test_month_link_opens_that_month(page: Any, site: str) -> None:
    pg = page
    pg.goto(site + "index.html")
    pg.get_by_role("navigation", name="Site").get_by_role("link", name="Archive").click()
    assert pg.url == site + "archive.html"
    links = pg.locator("table.arch tbody th a")
    assert links.all_inner_texts() == list(reversed(MONTHS))
    pg.get_by_role("link", name="2026-02", exact=True).click()
    assert pg.url == site + "month/2026-02/index.html"
    assert "projects, 2026-02" in pg.locator("h1").inner_text()
    assert "checks failed" in pg.locator(".meta").inner_text()
    assert pg.locator("#rows tr").count() == 100
    pg.get_by_role("link", name="2026-03 →").click()
    assert pg.url == site + "month/2026-03/index.html"
    # The month's own data file feeds its "all" view.
    pg.get_by_role("button", name="All 2,000").click()
    pg.wait_for_function("() => document.getElementById('top').dataset.shown === '2000'")
    with pg.expect_response(lambda r: r.url.endswith("archive/2026-03/top-pypi-packages.csv")):
        pg.get_by_role("link", name="CSV", exact=True).click()


def test_movers_and_project_pages(page: Any, site: str) -> None:
    pg = page
    pg.goto(site + "movers.html")
    assert pg.locator("h1").inner_text() == f"Movers in {LATEST}"
    new = pg.locator("#new").locator("xpath=..").locator("tbody tr")
    assert new.count() == 50
    no_injection(pg)
    for name, months in (("requests", 4), (UNICODE, 3), (XSS, 3)):
        pg.goto(site + "project.html")
        pg.get_by_label("Project name").fill(name.upper() if name == "requests" else name)
        pg.get_by_role("button", name="Show").click()
        pg.wait_for_selector("#project[data-shown]")
        assert pg.locator("#project h2").inner_text() == name
        assert pg.locator("#project tr.snap").count() == months
        assert pg.locator("#project figure svg path.ln").count() == 2  # one window, two charts
        # a badge (and its snippets) only for a name a PyPI project can have
        assert pg.locator("#project section.badge").count() == (name == "requests")
        no_injection(pg)
    pg.goto(site + "project.html?p=no-such-project")
    pg.wait_for_selector("#project p")
    assert "not in any archived list" in pg.locator("#project").inner_text()


def test_no_request_leaves_localhost(page: Any, watch: Watch, site: str) -> None:
    pg = page
    for rel in ("index.html", "movers.html", "archive.html", "project.html?p=boto3"):
        pg.goto(site + rel)
        pg.wait_for_load_state("networkidle")
    pg.goto(site + "index.html")
    pg.get_by_role("button", name=f"All {N:,}").click()
    pg.wait_for_function("() => document.getElementById('top').dataset.shown === '15000'")
    assert watch.requests and all(u.startswith(site) for u in watch.requests)
    assert any(u.endswith(f"data/{LATEST}.json") for u in watch.requests)


def test_without_javascript_the_top_100_work(browser: Any, site: str) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(site + "index.html")
    rows = pg.locator("#rows tr")
    assert rows.count() == 100 and rows.nth(99).is_visible()
    assert rows.nth(41).locator("td").nth(1).inner_text() == XSS
    assert not pg.locator("#controls").is_visible()  # the script-only controls stay hidden
    assert pg.locator("main img").count() == 0
    ctx.close()


def test_archive_months_stay_on_one_line_on_a_phone(page: Any, site: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site + "archive.html")
    heights = page.eval_on_selector_all(
        "table.arch tbody th a", "as => as.map(a => a.getClientRects().length)"
    )
    assert heights and set(heights) == {1}  # "2026-03", not "2026-" over "03"


# --- the whole history: both windows, methodology changes, badges, bidi ------------------


@pytest.fixture(scope="module")
def hist_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hist")
    make_history(root)
    build(root)
    with serving(root) as url:
        yield url


@pytest.fixture
def hist(browser: Any, hist_site: str) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watch(ctx.new_page(), hist_site)
    yield w.page
    w.clean()
    ctx.close()


def test_project_page_shows_both_windows_and_the_changes(hist: Any, hist_site: str) -> None:
    pg = hist
    pg.goto(hist_site + "project.html?p=NumPy")
    pg.wait_for_selector("#project[data-shown]")
    assert pg.locator("#project h2").inner_text() == "numpy"
    assert pg.locator("#project table[data-window='30'] tr.snap").count() == 12
    assert pg.locator("#project table[data-window='365'] tr.snap").count() == 2
    summary = pg.locator("#project > p").first.inner_text()
    assert "12 of 12 snapshots of the 30-day window and 2 of 2 snapshots of the 365-day" in summary
    assert "Rank 1 in the latest list, 2025-07." in summary
    charts = pg.locator("#project figure")
    assert charts.count() == 2
    for i in range(2):
        chart = charts.nth(i)
        assert (
            chart.locator("path.ln.w30").count() == 1 and chart.locator("path.ln.w365").count() == 1
        )
        assert chart.locator("line.mk").count() == 3  # each change, marked on both charts
        assert chart.locator("text.mkn").all_text_contents() == ["1", "2", "3"]
        assert chart.locator("rect.gap").count() == 3
        assert chart.locator("path.pt").evaluate_all("ps => ps.map(p => +p.dataset.points)") == [
            12,
            2,
        ]
        # the 30-day line breaks at each gap: 4 runs of snapshots
        d = chart.locator("path.ln.w30").get_attribute("d")
        assert d.count("M") == 4, d
    # Hovering names the nearest snapshot: the last one, at the right edge.
    rank_chart = charts.nth(0).locator("svg")
    box = rank_chart.bounding_box()
    assert box is not None
    rank_chart.hover(position={"x": box["width"] - 16, "y": box["height"] / 2})
    assert charts.nth(0).locator("g.tip text").text_content() == (
        "2025-07 (30-day window): rank 1, 90,000,013 downloads in 31 days"
    )
    legend = pg.locator("#project .legend").inner_text()
    for text in (
        "2021-05-01 (30-day window): Step change in the counts: upstream step: pypinfo upgraded",
        "2024-11-26 (30-day window): Installers counted: pip only → all installers",
        "2025-06 (30-day window): Data source: BigQuery/pypinfo → ClickHouse",
        "2024-07-01 → 2024-08-30 (60 days)",
    ):
        assert text in legend, legend
    table = pg.locator("#project table[data-window='30']").inner_text()
    assert "No snapshot for 60 days" in table and "3. Data source from 2025-06" in table
    # every snapshot link resolves
    for href in pg.eval_on_selector_all("#project tr.snap a", "as => as.map(a => a.href)"):
        assert pg.request.get(href).ok, href


def test_badge_and_snippets(hist: Any, hist_site: str) -> None:
    pg = hist
    pg.goto(hist_site + "project.html?p=requests")
    pg.wait_for_selector("#project section.badge img")
    pg.wait_for_function("() => document.querySelector('img.badge').complete")
    assert pg.evaluate("document.querySelector('img.badge').naturalWidth") == 87
    snippets = pg.locator("#project section.badge pre").all_inner_texts()
    svg, page = hist_site + "badges/requests.svg", hist_site + "project.html?p=requests"
    shields = "https://img.shields.io/endpoint?url=" + quote(hist_site + "badges/requests.json", "")
    assert snippets == [
        f"[![PyPI rank]({svg})]({page})",
        f"[![PyPI rank]({shields})]({page})",
        f".. image:: {svg}\n   :target: {page}\n   :alt: PyPI rank",
        f".. image:: {shields}\n   :target: {page}\n   :alt: PyPI rank",
    ]
    # The badge itself, opened in the browser: an SVG that names the rank.
    pg.goto(hist_site + "badges/requests.svg")
    assert pg.evaluate("document.documentElement.tagName") == "svg"
    assert pg.evaluate("document.querySelector('title').textContent") == (
        "requests: #2 by downloads on PyPI"
    )
    assert pg.evaluate("document.querySelectorAll('script').length") == 0
    assert pg.request.get(hist_site + "badges/requests.json").json()["message"] == "#2"


def test_archive_page_lists_every_snapshot(hist: Any, hist_site: str) -> None:
    pg = hist
    pg.goto(hist_site + "archive.html")
    assert pg.locator("#w30 + div tr.snap").count() == 12
    assert pg.locator("#w365 + div tr.snap").count() == 2
    assert pg.locator("tr.mark").count() == 3 and pg.locator("tr.gap").count() == 3
    links = pg.eval_on_selector_all("table.arch a", "as => as.map(a => a.href)")
    assert len(links) == 12 * 2 + 2 * (1 + 4)  # csv+meta for snapshots; page+4 dumps a month
    for href in links:
        assert pg.request.get(href).ok, href
    pg.get_by_role("link", name="2025-06", exact=True).click()
    assert pg.url == hist_site + "month/2025-06/index.html"
    assert "Projects with downloads\n712,345" in pg.locator(".meta").inner_text()
    no_injection(pg)


def test_names_are_isolated_and_bidi_controls_shown(hist: Any, hist_site: str) -> None:
    """ "evil\u202egnp.exe" never reads "evilexe.png", and no name reorders its neighbours."""
    pg = hist
    pg.goto(hist_site + "project.html")
    examples = pg.locator("p.examples bdi")
    texts = examples.all_inner_texts()
    assert "evil[U+202E]gnp.exe" in texts and RLO not in texts
    # Two right-to-left names side by side stay in list order, left to right.
    a, b = (examples.nth(texts.index(n)).bounding_box() for n in HEBREW)
    assert a is not None and b is not None and a["x"] + a["width"] <= b["x"]
    # The month table: server rows and the rows the script draws alike.
    pg.goto(hist_site + "index.html")
    cell = pg.locator("#rows tr").nth(4).locator("td.name")
    assert cell.inner_text() == "evil[U+202E]gnp.exe"
    assert cell.locator("bdi").count() == 1
    pg.get_by_role("button", name="Project").click()  # the script redraws every row
    drawn = pg.locator("#rows tr:not(.sp) td.name a").filter(has_text="evil")
    assert drawn.inner_text() == "evil[U+202E]gnp.exe"
    assert drawn.evaluate("a => getComputedStyle(a).unicodeBidi") == "isolate"
    assert drawn.get_attribute("href") == "https://pypi.org/project/evil%E2%80%AEgnp.exe/"
    # The project page: heading, title and no badge for a name PyPI cannot have.
    pg.goto(hist_site + "project.html?p=" + quote(RLO))
    pg.wait_for_selector("#project[data-shown]")
    assert pg.locator("#project h2 bdi").inner_text() == "evil[U+202E]gnp.exe"
    assert pg.title().startswith("\u2068evil[U+202E]gnp.exe\u2069 · ")
    assert pg.locator("#project section.badge").count() == 0
    pg.goto(hist_site + "archive.html")
    assert "\u202e" not in pg.locator("main").inner_text()
    no_injection(pg)


def test_hostile_project_pages_run_nothing(hist: Any, hist_site: str) -> None:
    for name in (XSS, QUOTES):
        hist.goto(hist_site + "project.html?p=" + quote(name, ""))
        hist.wait_for_selector("#project[data-shown]")
        assert hist.locator("#project h2").inner_text() == name
        assert hist.locator("#project section.badge").count() == 0
        no_injection(hist)
