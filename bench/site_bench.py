"""The site in Chromium: first 100 rows visible, and "all" to 15,000 rows rendered.

    uv run python bench/site_bench.py [--dataset DIR] [--runs 5]

Each run uses a fresh browser context (cold cache) on a 15,000-row month,
served from 127.0.0.1. Baselines measured in the same run:
  - naive: the same data file, every row built at once with innerHTML
    (what a page without virtualisation does; the anchor page does it with
    AngularJS bindings, which is slower still);
  - floor: navigation to a tiny static page (what the browser costs anyway).
Targets: first 100 visible <= 0.15 s, 15,000 rendered <= 0.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from toppypi.dataset import Dataset
from toppypi.site.build import build
from toppypi.site.serve import launch_chromium, serving

TARGETS = {"first": 0.15, "all": 0.3}

# "Visible" is measured the same way on every page: the paint time (Element
# Timing) of the first row's rank cell, and not before all 100 rows are laid out
# (the rAF callback of that frame). Rows past the first screen are not painted at
# all until scrolled to, so their own paint cannot be timed.
FIRST_100 = """
(() => {
  window.__paint = undefined;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.identifier === 'first') window.__paint = e.renderTime;
  }).observe({ type: 'element', buffered: true });
  new MutationObserver(() => {
    const row = document.querySelector('#rows tr');
    const cell = row && row.cells[0];
    if (cell && !cell.hasAttribute('elementtiming')) cell.setAttribute('elementtiming', 'first');
  }).observe(document, { childList: true, subtree: true });
  const tick = () => {
    const rows = document.querySelectorAll('#rows tr');
    if (rows.length >= 100 && rows[99].getBoundingClientRect().height > 0) {
      window.__first100 = performance.now();
    } else {
      requestAnimationFrame(tick);
    }
  };
  requestAnimationFrame(tick);
})();
"""

CLICK_ALL = """
(n) => new Promise((done) => {
  const t0 = performance.now();
  [...document.querySelectorAll('button')].find(b => b.textContent.startsWith('All')).click();
  const tick = () => {
    if (document.getElementById('top').dataset.shown === String(n)) {
      requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0)));
    } else {
      requestAnimationFrame(tick);
    }
  };
  tick();
})
"""

NAIVE_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>naive</title>
<link rel="icon" href="data:,">
<script src="bench-naive.js" defer></script></head><body><main>
<button type="button">All</button>
<table id="top" class="rank"><thead><tr><th>#</th><th>Project</th><th>Downloads</th></tr></thead>
<tbody id="rows"></tbody></table></main></body></html>
"""

# Builds rows with innerHTML and no escaping: a baseline only, never shipped.
NAIVE_JS = """
const table = document.getElementById('top');
function show(n) {
  return fetch(table.dataset.src).then(r => r.json()).then(d => {
    let h = '';
    const m = Math.min(n, d.n.length);
    for (let i = 0; i < m; i++) {
      h += '<tr><td>' + (i + 1) + '</td><td><a href="https://pypi.org/project/' + d.n[i] +
           '/">' + d.n[i] + '</a></td><td>' + d.d[i].toLocaleString() + '</td></tr>';
    }
    document.getElementById('rows').innerHTML = h;
    table.dataset.shown = String(m);
  });
}
show(100);
document.querySelector('button').addEventListener('click', () => show(1e9));
"""

FLOOR_HTML = "<!doctype html><title>floor</title><link rel=icon href='data:,'><p id=rows>hi</p>\n"


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def measure(browser: Any, url: str, runs: int, first: bool, total: int) -> list[float]:
    out = []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        if first:
            page.add_init_script(FIRST_100)
            page.goto(url)
            page.wait_for_function(
                "() => window.__first100 !== undefined && window.__paint !== undefined"
            )
            shown = page.evaluate("() => Math.max(window.__first100, window.__paint)")
            out.append(shown / 1000)
        else:
            page.goto(url)
            page.wait_for_load_state("load")
            if total > 100:
                page.wait_for_function("() => document.querySelectorAll('#rows tr').length >= 100")
            out.append(page.evaluate(CLICK_ALL, total) / 1000)
        ctx.close()
    return out


def floor(browser: Any, url: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function(
            "() => performance.getEntriesByName('first-contentful-paint').length > 0"
        )
        fcp = page.evaluate(
            "() => performance.getEntriesByName('first-contentful-paint')[0].startTime"
        )
        out.append(fcp / 1000)
        ctx.close()
    return out


def bench(root: Path, runs: int) -> None:
    build(root)
    ds = Dataset(root)
    latest = ds.months()[-1]
    total = len(ds.load(latest).rows)
    (root / "bench-naive.html").write_text(
        NAIVE_HTML.replace('id="top"', f'id="top" data-src="data/{latest}.json"')
    )
    (root / "bench-naive.js").write_text(NAIVE_JS)
    (root / "bench-floor.html").write_text(FLOOR_HTML)
    try:
        with serving(root) as url, sync_playwright() as p:
            browser = launch_chromium(p)
            ours, naive = url + "index.html", url + "bench-naive.html"
            go: dict[str, Callable[[], list[float]]] = {
                "first": lambda: measure(browser, ours, runs, True, total),
                "all": lambda: measure(browser, ours, runs, False, total),
                "naive first": lambda: measure(browser, naive, runs, True, total),
                "naive all": lambda: measure(browser, naive, runs, False, total),
                "floor": lambda: floor(browser, url + "bench-floor.html", runs),
            }
            res = {k: median(f()) for k, f in go.items()}
            browser.close()
    finally:
        for name in ("bench-naive.html", "bench-naive.js", "bench-floor.html"):
            (root / name).unlink(missing_ok=True)
    print(f"Chromium, {total:,}-row month ({latest}), median of {runs} cold runs\n")
    print("| measure | toppypi | naive innerHTML | static page floor | target |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| navigation → first 100 rows visible | {res['first']:.3f} s | "
        f"{res['naive first']:.3f} s | {res['floor']:.3f} s | ≤ {TARGETS['first']} s |"
    )
    print(
        f'| "all" → {total:,} rows rendered | {res["all"]:.3f} s | '
        f"{res['naive all']:.3f} s | n/a | ≤ {TARGETS['all']} s |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--dataset", type=Path, help="a dataset with archive/ (default: the demo)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if args.dataset:
        bench(args.dataset, args.runs)
        return
    from toppypi.operations.demo import run_demo

    with tempfile.TemporaryDirectory() as tmp:
        print("building the demo dataset (3 months, 15,000 rows each) ...")
        run_demo(Path(tmp), events_per_month=300_000)
        bench(Path(tmp), args.runs)


if __name__ == "__main__":
    main()
