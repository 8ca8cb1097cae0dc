"""The site in Chromium: first 100 rows, "all" 15,000 rows, first-view weight, project chart.

    uv run python bench/site_bench.py [--dataset DIR] [--history DIR] [--runs 5]

Each run uses a fresh browser context (cold cache) on a 15,000-row month,
served from 127.0.0.1. Baselines measured in the same run:
  - naive: the same data file, every row built at once with innerHTML
    (what a page without virtualisation does; the anchor page does it with
    AngularJS bindings, which is slower still);
  - floor: navigation to a tiny static page (what the browser costs anyway).
The project page is measured on a dataset of 260 snapshots (both windows):
the imported real history (--history, default ../shared/data/top-pypi-history
when present) or, without it, 260 synthetic snapshots in the same layout.
Targets: first 100 visible <= 0.15 s, 15,000 rendered <= 0.3 s, first view
<= 60 KB gzipped, a 260-snapshot project chart shown <= 0.3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from toppypi.dataset import Dataset
from toppypi.operations.site import build as build_site
from toppypi.site.serve import launch_chromium, serving

TARGETS = {"first": 0.15, "all": 0.3, "weight": 60_000, "chart": 0.3}
SHARED = Path(__file__).resolve().parents[2] / "shared/data/top-pypi-history"
BENCH_PAGES = ("assets/bench-naive.html", "assets/bench-naive.js", "assets/bench-floor.html")

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


# The charts' paint time, by Element Timing of their captions: each caption is
# inserted with its chart, so both are painted in the same frame.
CHART_SHOWN = """
(() => {
  window.__charts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.identifier === 'chart') window.__charts.push(e.renderTime);
    }
  }).observe({ type: 'element', buffered: true });
  new MutationObserver(() => {
    for (const c of document.querySelectorAll('#project figcaption:not([elementtiming])')) {
      c.setAttribute('elementtiming', 'chart');
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""


def chart_times(browser: Any, url: str, runs: int) -> tuple[list[float], int]:
    """Navigation to the project page -> both charts painted; and the points drawn."""
    out, points = [], 0
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.add_init_script(CHART_SHOWN)
        page.goto(url)
        page.wait_for_function("() => window.__charts.length === 2")
        out.append(page.evaluate("() => Math.max(...window.__charts)") / 1000)
        points = page.eval_on_selector_all(
            "#project figure:first-of-type path.pt",
            "ps => ps.reduce((n, p) => n + +p.dataset.points, 0)",
        )
        ctx.close()
    return out, points


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def first_view_weight(root: Path, page: str) -> int:
    """A page plus what it loads before any interaction (scripts, its data file), gzipped."""
    html = (root / page).read_bytes()
    base = (root / page).parent
    refs = re.findall(rb'<script src="([^"]+)"', html)
    total = gz(html) + sum(gz((base / r.decode()).read_bytes()) for r in refs)
    src = re.search(rb'data-src="([^"]+)"', html)
    if page.startswith("assets/bench-naive") and src:  # the naive page renders from the data
        total += gz((base / src.group(1).decode()).read_bytes())
    return total


def bench(root: Path, runs: int, history: Path | None) -> None:
    build_site(Dataset(root))
    ds = Dataset(root)
    latest = ds.months()[-1]
    total = len(ds.load(latest).rows)
    (root / "assets/bench-naive.html").write_text(
        NAIVE_HTML.replace('id="top"', f'id="top" data-src="../data/{latest}.json"')
    )
    (root / "assets/bench-naive.js").write_text(NAIVE_JS)
    (root / "assets/bench-floor.html").write_text(FLOOR_HTML)
    with tempfile.TemporaryDirectory() as tmp:
        hist_root, project = history_dataset(Path(tmp), history)
        try:
            with serving(root) as url, serving(hist_root) as hist_url, sync_playwright() as p:
                browser = launch_chromium(p)
                ours, naive = url + "index.html", url + "assets/bench-naive.html"
                go: dict[str, Callable[[], list[float]]] = {
                    "first": lambda: measure(browser, ours, runs, True, total),
                    "all": lambda: measure(browser, ours, runs, False, total),
                    "naive first": lambda: measure(browser, naive, runs, True, total),
                    "naive all": lambda: measure(browser, naive, runs, False, total),
                    "floor": lambda: floor(browser, url + "assets/bench-floor.html", runs),
                }
                res = {k: median(f()) for k, f in go.items()}
                times, points = chart_times(browser, f"{hist_url}project.html?p={project}", runs)
                res["chart"] = median(times)
                browser.close()
            weight = {
                "ours": first_view_weight(root, "index.html"),
                "naive": first_view_weight(root, "assets/bench-naive.html"),
            }
        finally:
            for name in BENCH_PAGES:
                (root / name).unlink(missing_ok=True)
        snaps = json.loads((hist_root / "data/snapshots.json").read_bytes())["s"]
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
    print(
        f"| first view, gzipped (page + what it loads) | {weight['ours'] / 1000:.1f} KB | "
        f"{weight['naive'] / 1000:.1f} KB | n/a | ≤ {TARGETS['weight'] // 1000} KB |"
    )
    print(
        f"\nProject page, {project}: {points} of {len(snaps)} snapshots on each chart\n\n"
        "| measure | toppypi | static page floor | x floor | target |\n"
        "|---|---:|---:|---:|---:|\n"
        f"| navigation → both charts painted | {res['chart']:.3f} s | {res['floor']:.3f} s | "
        f"{res['chart'] / res['floor']:.1f} | ≤ {TARGETS['chart']} s |"
    )
    print(
        f"\nFirst view: {weight['ours'] / TARGETS['weight']:.2f} of the budget, "
        f"{weight['ours'] / weight['naive']:.2f} x the naive page's."
    )


def history_dataset(tmp: Path, history: Path | None) -> tuple[Path, str]:
    """A built site of 260 snapshots, and a project ranked in all of them."""
    root = tmp / "history"
    if history is None:
        synthetic_history(root)
    else:
        cmd = [sys.executable, "-m", "toppypi", "history", "import", str(history)]
        subprocess.run([*cmd, "--dataset", str(root)], check=True, capture_output=True)
    build_site(Dataset(root))
    return root, "numpy"


def synthetic_history(root: Path, rows: int = 5_000) -> None:
    """158 30-day snapshots, a month and 101 365-day snapshots (260), numpy in every one."""
    names = ["numpy", *(f"pkg-{i:05d}" for i in range(1, rows))]
    plan = [(30, dt.date(2018, 2, 7) + dt.timedelta(days=19 * i)) for i in range(158)]
    plan += [(365, dt.date(2018, 1, 9) + dt.timedelta(days=12 * i)) for i in range(101)]
    for i, (window, day) in enumerate(plan):
        folder = root / "archive/snapshots" / f"{window}d" / day.isoformat()
        folder.mkdir(parents=True)
        meta = {
            "date": day.isoformat(),
            "installers": "pypinfo-default" if day < dt.date(2021, 1, 1) else "all",
            "last_update": f"{day} 08:00:00",
            "period_end": (day - dt.timedelta(days=1)).isoformat(),
            "period_start": (day - dt.timedelta(days=window)).isoformat(),
            "query_days": window,
            "source": "BigQuery/pypinfo",
            "window_days": window,
        }
        (folder / "meta.json").write_text(json.dumps(meta))
        order = names[:]
        order[0], order[1 + i % 40] = order[1 + i % 40], order[0]  # numpy moves about
        body = "".join(f'{10_000_000 * (rows - r)},"{n}"\n' for r, n in enumerate(order))
        (folder / "top-pypi-packages.csv").write_text("download_count,project\n" + body)
    # the site needs one calendar month to show
    from toppypi.dataset.files import month_files
    from toppypi.model.ranking import Methodology, Ranking

    snap = Ranking.of(
        [(10_000_000 * (rows - r), n) for r, n in enumerate(names)],
        dt.datetime(2026, 4, 1),
        methodology=Methodology(source="ClickHouse"),
    )
    with Dataset(root).writing() as w:
        w.write_month("2026-03", month_files(snap))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--dataset", type=Path, help="a dataset with archive/ (default: the demo)")
    ap.add_argument(
        "--history",
        type=Path,
        default=SHARED if SHARED.is_dir() else None,
        help="the published history to import for the project page (default: ../shared's)",
    )
    ap.add_argument("--synthetic", action="store_true", help="260 synthetic snapshots instead")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    history = None if args.synthetic else args.history
    if args.dataset:
        bench(args.dataset, args.runs, history)
        return
    from toppypi.operations.demo import run_demo

    with tempfile.TemporaryDirectory() as tmp:
        print("building the demo dataset (3 months, 15,000 rows each) ...")
        run_demo(Path(tmp), events_per_month=300_000)
        bench(Path(tmp), args.runs, history)


if __name__ == "__main__":
    main()
