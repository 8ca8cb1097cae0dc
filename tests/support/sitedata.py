"""A dataset for the site tests: a 15,000-row month, earlier months, and hostile names."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from tests.support.datasets import write_month
from toppypi.checks import Finding, Report, Severity
from toppypi.dataset import Dataset
from toppypi.model.ranking import Envelope, Methodology, Ranking

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


def small(root: Path) -> Dataset:
    """Two tiny months: b climbs, c is new, d drops out."""
    ds = Dataset(root)
    t = dt.datetime(2026, 4, 1, 0, 0, 0)
    write_month(ds, "2026-02", Ranking.of([(30, "a"), (20, "d"), (10, "b")], t))
    write_month(ds, "2026-03", Ranking.of([(50, "a"), (40, "b"), (5, "c")], t))
    return ds


# --- a history of both windows, as `history import` files it ----------------------------

RLO = "evil\u202egnp.exe"  # must never read as "evilexe.png"
HEBREW = ("\u05d0\u05d1", "\u05d2\u05d3")  # two right-to-left names, listed side by side
HISTORY_NAMES = ["numpy", "requests", HEBREW[0], HEBREW[1], RLO, XSS, QUOTES, "six", "pip"]
# (window, snapshot date, source, installers, days): archive/snapshots/<window>d/<date>/
SNAPSHOTS = [
    (30, "2021-04-01", "BigQuery/pypinfo", "pypinfo-default", 30),
    (30, "2021-05-01", "BigQuery/pypinfo", "pypinfo-default", 30),  # history.eras' known step
    (30, "2021-06-01", "BigQuery/pypinfo", "pypinfo-default", 30),
    (30, "2024-07-01", "BigQuery/pypinfo", "pypinfo-default", 30),
    (30, "2024-08-30", "BigQuery/pypinfo", "pypinfo-default", 30),  # no 2024-08-01 run: a gap
    (30, "2024-10-01", "BigQuery/pypinfo", "pypinfo-default", 30),
    (30, "2024-11-01", "BigQuery/pypinfo", "pypinfo-default", 30),
    (30, "2024-11-26", "BigQuery/pypinfo", "all", 30),  # pip only -> all installers
    (30, "2024-12-01", "BigQuery/pypinfo", "all", 29),
    (30, "2025-06-13", "BigQuery/pypinfo", "all", 22),
    (365, "2021-03-01", "BigQuery/pypinfo", "pypinfo-default", 365),
    (365, "2021-04-01", "BigQuery/pypinfo", "pypinfo-default", 365),
]
HISTORY_MONTHS = ("2025-06", "2025-07")  # ClickHouse months: BigQuery -> ClickHouse


def history_rows(i: int) -> list[tuple[int, str]]:
    """Snapshot ``i``'s rows: numpy climbs one place every few snapshots, the rest shuffle."""
    names = list(HISTORY_NAMES)
    if i % 3 == 2:
        names[0], names[1] = names[1], names[0]
    if i == 4:
        names.remove("six")  # six drops out once: its line breaks
    return [(10_000_000 * (len(names) - r) + i, n) for r, n in enumerate(names)]


def add_snapshot(
    root: Path,
    window: int,
    day: str,
    source: str,
    installers: str,
    days: int,
    rows: list[tuple[int, str]],
) -> Path:
    """A snapshot folder exactly as `toppypi history import` writes one."""
    date = dt.date.fromisoformat(day)
    folder = root / "archive" / "snapshots" / f"{window}d" / day
    folder.mkdir(parents=True)
    meta = {
        "date": day,
        "installers": installers,
        "last_update": f"{day} 08:00:00",
        "period_end": (date - dt.timedelta(days=1)).isoformat(),
        "period_start": (date - dt.timedelta(days=days)).isoformat(),
        "query_days": days,
        "source": source,
        "window_days": window,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    body = "".join(f'{c},"{p.replace(chr(34), chr(34) * 2)}"\n' for c, p in rows)
    (folder / "top-pypi-packages.csv").write_text("download_count,project\n" + body)
    return folder


def make_history(root: Path) -> Dataset:
    """12 snapshots of the 30-day window (two of them ClickHouse months) and 2 of the 365-day."""
    for i, (window, day, source, installers, days) in enumerate(SNAPSHOTS):
        add_snapshot(root, window, day, source, installers, days, history_rows(i))
    ds = Dataset(root)
    for j, month in enumerate(HISTORY_MONTHS):
        snap = Ranking.of(
            history_rows(len(SNAPSHOTS) + j),
            dt.datetime(2025, 7 + j, 5, 9, 0, 0),
            methodology=Methodology(source="ClickHouse"),
            envelope=Envelope(rows_before_limit_at_least=712_345 + j),
        )
        write_month(ds, month, snap)
    return ds
