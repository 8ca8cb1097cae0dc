"""A dataset for the site tests: a 15,000-row month, earlier months, and hostile names."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from tests.support.datasets import write_month
from toppypi.checks import Finding, Report, Severity
from toppypi.dataset import Dataset
from toppypi.model.ranking import Methodology, Ranking

XSS = "<img src=x onerror=alert(document.domain)>"
XSS_DEEP = "<script>window.__xss=1</script>"  # ranked past the server-rendered 100
QUOTES = "a\"b'&c</td>"
UNICODE = "café-lib"
RARE = "zzz-rare-project"
MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04")
LATEST = MONTHS[-1]
N = 15_000
# rank (1-based) in the latest month of the named projects
PLACED = {
    1: "boto3",
    2: "requests",
    42: XSS,
    77: QUOTES,
    90: UNICODE,
    5_000: XSS_DEEP,
    12_345: RARE,
}


def latest_names() -> list[str]:
    names = [f"pkg-{i:05d}" for i in range(1, N + 1)]
    for rank, name in PLACED.items():
        names[rank - 1] = name
    return names


def month_names(i: int) -> list[str]:
    """Earlier months: the same projects, shuffled a little, 2,000 of them."""
    if i == len(MONTHS) - 1:
        return latest_names()
    rng = random.Random(i)
    names = latest_names()[:2_100]
    for _ in range(300):
        a, b = rng.randrange(len(names)), rng.randrange(len(names))
        names[a], names[b] = names[b], names[a]
    names = [n for n in names if n not in (XSS, UNICODE)] if i == 0 else names
    return names[:2_000]


def make_dataset(root: Path) -> Dataset:
    ds = Dataset(root)
    for i, month in enumerate(MONTHS):
        names = month_names(i)
        rows = [(10_000_000_000 // (r + 1) + 7 * i, n) for r, n in enumerate(names)]
        snap = Ranking.of(
            rows,
            dt.datetime(2026, 5 if i == 3 else 2 + i, 1, 3, 4, 5),
            methodology=Methodology(source="ClickHouse"),
        )
        failed = month == "2026-02"
        report = Report(
            [
                Finding("structure", Severity.OK, f"{len(rows)} rows"),
                Finding("drift", Severity.FAIL if failed else Severity.OK, "total within limits"),
            ]
        )
        write_month(ds, month, snap, report)
    return ds
