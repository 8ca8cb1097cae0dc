"""Bench: import the real history, then movers/diff/show on it.

    uv run python bench/history.py [--history ../shared/data/top-pypi-history]

Targets (issue 6): import of all 260 snapshots <= 5 s; movers and diff <= 50 ms
each. The baseline, measured in the same run, is reading both history CSVs
with the standard library, so a loaded machine shows as a slow baseline.
Timings are in-process with imports warmed; CPU time is shown next to wall
time because the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "top-pypi-history"


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, float]:
    """(best wall seconds, CPU seconds of that run)."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        run = (time.perf_counter() - w, time.process_time() - c)
        best = min(best, run)
    return best


def baseline(history: Path) -> None:
    for name in ("history-30-days.csv.gz", "history-365-days.csv.gz"):
        with gzip.open(history / name, "rt", newline="", encoding="utf-8") as fh:
            for _ in csv.reader(fh):
                pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--history", type=Path, default=DEFAULT)
    args = ap.parse_args()
    history: Path = args.history
    if not history.is_dir():
        raise SystemExit(f"{history}: not found (pass --history)")

    from toppypi.dataset import Dataset
    from toppypi.history.index import project_history
    from toppypi.operations.history import ImportOptions, diff, import_history, movers

    rows: list[tuple[str, float, float, str]] = []

    def add(name: str, t: tuple[float, float], target: str = "") -> None:
        rows.append((name, t[0], t[1], target))

    add("baseline: csv.reader over both history files", timed(lambda: baseline(history)))
    with tempfile.TemporaryDirectory() as tmp:
        ds = Dataset(Path(tmp) / "ds")

        def full_import() -> None:
            import_history(ds, [history], ImportOptions())

        add("history import: 260 snapshots, empty archive", timed(full_import), "<= 5 s")
        add("history import again (nothing to write)", timed(full_import), "<= 5 s")
        add("history rebuild (index only)", timed(lambda: ds.history_index(rebuild=True)))
        index = ds.history_index().path
        add("movers 2026-03 (15,000 rows)", timed(lambda: movers(ds, "2026-03"), 7), "<= 50 ms")
        add("movers 2018-06 (weekly, 5,000 rows)", timed(lambda: movers(ds, "2018-06"), 7),
            "<= 50 ms")  # fmt: skip
        add("diff 2018-03 2026-03", timed(lambda: diff(ds, "2018-03", "2026-03"), 7), "<= 50 ms")
        add("history show boto3 (159 snapshots)", timed(lambda: project_history(index, "boto3"), 7))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"| step | wall | CPU | target |  (load average {load:.1f}, {os.cpu_count()} cores)")
    print("|---|---:|---:|---|")
    for name, wall, cpu, target in rows:
        unit = (lambda s: f"{s * 1000:.0f} ms") if wall < 1 else (lambda s: f"{s:.2f} s")
        print(f"| {name} | {unit(wall)} | {unit(cpu)} | {target} |")
    _ = statistics  # kept for ad-hoc medians


if __name__ == "__main__":
    main()
