"""Bytes a monthly top-N costs on BigQuery: our SQL next to pypinfo's.

BigQuery bills on-demand queries by the bytes of the columns they read, over
the partitions they keep. This script takes each query's SQL, finds the
columns it reads (sqlglot, qualified as BigQuery resolves them), and sizes
them by BigQuery's published per-type rule (TIMESTAMP 8 bytes, BOOL 1, STRING
2 + its UTF-8 length, NULL 0) over one month of realistic sample events. The
baseline is pypinfo's query, measured in the same run.

    uv run python bench/bigquery_bytes.py [--events 120000]

No per-column sizes of the real table are published that we could find; the
only published table figures we found are ~440 TB for the whole table and
13.39 TB for its top-level ``project`` column (Dec 2024). So the real-month
column is a clearly labelled ESTIMATE: the events in a month are set so that
pypinfo's ``--all`` query scans 1.2 TB, the middle of the 1.0-1.4 TB a monthly
top-N is reported to scan; every query is then scaled by its measured bytes
per event.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bigquery_support import BigQueryTable, columns_read, scanned_bytes  # noqa: E402

from toppypi.engines.bigquery.guard import billed_bytes  # noqa: E402
from toppypi.engines.bigquery.sql import build  # noqa: E402
from toppypi.model.period import Period  # noqa: E402
from toppypi.model.query import InstallerFilter  # noqa: E402
from toppypi.ranking import top_query  # noqa: E402
from toppypi.sample import SampleSpec, write_sample  # noqa: E402

MONTH = Period.for_month(2026, 3)
REAL_MONTH_TB = 1.2e12  # ESTIMATE: pypinfo --all's monthly scan, middle of 1.0-1.4 TB
PRICE = 6.25
TIB = 1024**4


def pypinfo_sql(pip_only: bool, limit: int = 15000) -> str:
    """What ``pypinfo [--all] --limit N --start-date M --end-date M "" project`` sends."""
    where = (
        'WHERE timestamp BETWEEN TIMESTAMP("2026-03-01 00:00:00") '
        'AND TIMESTAMP("2026-03-31 23:59:59")\n'
    )
    if pip_only:
        where += '  AND details.installer.name = "pip"\n'
    return (
        "SELECT\n  file.project as project,\n  COUNT(*) as download_count,\n"
        "FROM `bigquery-public-data.pypi.file_downloads`\n"
        f"{where}GROUP BY\n  project\nORDER BY\n  download_count DESC\nLIMIT {limit}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=120_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2026-03.parquet"
        write_sample(SampleSpec(MONTH, events=args.events, projects=3_000, seed=1), path)
        table = BigQueryTable([path])
        days = (MONTH.start, MONTH.end)
        ours_all = build(top_query(MONTH)).sql
        ours_pip = build(top_query(MONTH, installers=InstallerFilter.parse("pip"))).sql
        ours_nm = build(top_query(MONTH, installers=InstallerFilter.parse("no-mirrors"))).sql
        cases = [
            ("pypinfo --all (baseline)", pypinfo_sql(False)),
            ("toppypi top (installers all)", ours_all),
            ("pypinfo (default: pip only)", pypinfo_sql(True)),
            ("toppypi top --installers pip", ours_pip),
            ("toppypi top --installers no-mirrors", ours_nm),
        ]
        measured = [(name, sql, scanned_bytes(table.con, sql, days)) for name, sql in cases]
    base_per_event = measured[0][2] / args.events
    events_per_month = REAL_MONTH_TB / base_per_event
    print(f"sample: {args.events:,} events in {MONTH}; price ${PRICE}/TiB")
    print(f"real month ESTIMATE: {events_per_month / 1e9:.1f} billion events (see docstring)\n")
    head = ("query", "columns read", "sample bytes", "B/event", "est. month", "est. cost", "vs")
    rows = []
    for name, sql, nbytes in measured:
        cols = ", ".join(".".join(c) for c in sorted(columns_read(sql)))
        per_event = nbytes / args.events
        month = per_event * events_per_month
        rows.append(
            (
                name,
                cols,
                f"{nbytes:,}",
                f"{per_event:.2f}",
                f"{month / 1e12:.2f} TB",
                f"${billed_bytes(int(month)) / TIB * PRICE:,.2f}",
                f"{nbytes / measured[0][2]:.3f}x",
            )
        )
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    ours, theirs = measured[1][2], measured[0][2]
    ours_pip_b, theirs_pip = measured[3][2], measured[2][2]
    assert ours <= theirs and ours_pip_b <= theirs_pip, "our SQL must not read more"
    print("\nours <= pypinfo's for the same installers: yes")


if __name__ == "__main__":
    main()
