"""The real history (../shared): 260 snapshots imported, the site built, read in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from toppypi.site.serve import serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real_site(shared_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("real")
    proc = run_cli("history", "import", str(shared_history), "--dataset", str(root))
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("site", "build", "--dataset", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "260 snapshot(s)" in proc.stderr and "warning" not in proc.stderr
    with serving(root) as url:
        yield url


@pytest.fixture(scope="module")
def page(browser: Any, real_site: str) -> Iterator[Any]:
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    assert errors == []
    pg.close()


def test_numpy_shows_every_snapshot_and_the_methodology_changes(page: Any, real_site: str) -> None:
    page.goto(real_site + "project.html?p=numpy")
    page.wait_for_selector("#project[data-shown]")
    rows_30 = page.locator("#project table[data-window='30'] tr.snap").count()
    rows_365 = page.locator("#project table[data-window='365'] tr.snap").count()
    assert (rows_30, rows_365) == (159, 101)  # numpy is in every list since 2018
    assert rows_30 + rows_365 >= 150
    first, last = page.eval_on_selector_all(
        "#project table[data-window='30'] tr.snap th",
        "ths => [ths.at(-1), ths[0]].map(t => t.textContent)",
    )
    assert (first, last) == ("2018-02-07", "2026-03")
    legend = page.locator("#project .legend").inner_text()
    for change in (
        "2021-05-01 (30-day window): Step change in the counts",
        "2024-11-26 (30-day window): Installers counted: pip only → all installers",
        "2025-06 (30-day window): Data source: BigQuery/pypinfo → ClickHouse",
        "2024-07-01 → 2024-08-30 (60 days)",  # the missing August 2024 run
    ):
        assert change in legend, legend
    for chart in page.locator("#project figure").all():
        assert chart.locator("line.mk").count() >= 3
        assert chart.locator("rect.gap").count() >= 4
        points = chart.locator("path.pt").evaluate_all("ps => ps.map(p => +p.dataset.points)")
        assert points == [159, 101]
    assert page.locator("#project section.badge").count() == 1


def test_archive_lists_all_260_snapshots(page: Any, real_site: str) -> None:
    page.goto(real_site + "archive.html")
    assert page.locator("#w30 + div tr.snap").count() == 159
    assert page.locator("#w365 + div tr.snap").count() == 101
    href = page.locator("#w365 + div tr.snap a").first.get_attribute("href")
    assert page.request.get(real_site + href).ok
