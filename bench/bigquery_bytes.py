"""Bytes a monthly top-N and a version query cost on BigQuery: our SQL next to pypinfo's.

BigQuery bills on-demand queries by the bytes of the columns they read, over
the partitions they keep. This script takes each query's SQL, finds the
columns it reads (sqlglot, qualified as BigQuery resolves them), and sizes
them by BigQuery's published per-type rule (TIMESTAMP 8 bytes, BOOL 1, STRING
2 + its UTF-8 length, NULL 0) over one month of realistic sample events. The
baseline is pypinfo's own SQL (``pypinfo.core.build_query``, pypinfo 23),
measured in the same run; every row of ours must read no more than pypinfo's.

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

from pypinfo.core import build_query as pypinfo_query  # noqa: E402
from pypinfo.fields import Project, PythonVersion  # noqa: E402
from tests.support.bigquery_support import BigQueryTable, columns_read, scanned_bytes  # noqa: E402

from toppypi.api import build_query  # noqa: E402
from toppypi.engines.bigquery.guard import billed_bytes  # noqa: E402
from toppypi.engines.bigquery.sql import build  # noqa: E402
from toppypi.model.period import Period  # noqa: E402
from toppypi.model.query import InstallerFilter  # noqa: E402
from toppypi.operations.top import TopOptions, top_query  # noqa: E402
from toppypi.sample import SampleSpec, write_sample  # noqa: E402

MONTH = Period.for_month(2026, 3)
REAL_MONTH_TB = 1.2e12  # ESTIMATE: pypinfo --all's monthly scan, middle of 1.0-1.4 TB
PRICE = 6.25
TIB = 1024**4


def pypinfo_sql(project: str, fields: list[object], pip: bool, limit: int = 10) -> str:
    """What ``pypinfo [--all] --limit N --start-date 2026-03 --end-date 2026-03 ...`` sends."""
    return str(
        pypinfo_query(
            project, fields, start_date="2026-03", end_date="2026-03", pip=pip, limit=limit
        )
    )


# Before: a specifier was two billed jobs, the versions listed first (for reference).
TWO_JOB_LISTING = (
    "SELECT DISTINCT NULLIF(file.version, '') AS version\n"
    "FROM `bigquery-public-data.pypi.file_downloads`\n"
    "WHERE timestamp >= TIMESTAMP '2026-03-01 00:00:00+00' "
    "AND timestamp < TIMESTAMP '2026-04-01 00:00:00+00' AND file.project = @p0"
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
        ours_all = build(top_query(TopOptions(MONTH))).sql
        ours_pip = build(top_query(TopOptions(MONTH, installers=InstallerFilter.parse("pip")))).sql
        no_mirrors = InstallerFilter.parse("no-mirrors")
        ours_nm = build(top_query(TopOptions(MONTH, installers=no_mirrors))).sql
        spec = build_query("numpy==2.*", ["pyversion"], month="2026-03")
        ours_spec = build(spec).sql
        cases = [
            ("pypinfo --all (baseline)", pypinfo_sql("", [Project], False, 15000)),
            ("toppypi top (installers all)", ours_all),
            ("pypinfo (default: pip only)", pypinfo_sql("", [Project], True, 15000)),
            ("toppypi top --installers pip", ours_pip),
            ("toppypi top --installers no-mirrors", ours_nm),
            ("pypinfo 'numpy==2.*' pyversion", pypinfo_sql("numpy==2.*", [PythonVersion], True)),
            ("toppypi query 'numpy==2.*' pyversion", ours_spec),
        ]
        measured = [(name, sql, scanned_bytes(table.con, sql, days)) for name, sql in cases]
        listing = scanned_bytes(table.con, TWO_JOB_LISTING, days)
        before = ("  (before: 2 jobs, versions listed)", TWO_JOB_LISTING, listing + measured[-1][2])
    base_per_event = measured[0][2] / args.events
    events_per_month = REAL_MONTH_TB / base_per_event
    print(f"sample: {args.events:,} events in {MONTH}; price ${PRICE}/TiB")
    print(f"real month ESTIMATE: {events_per_month / 1e9:.1f} billion events (see docstring)\n")
    head = (
        "query",
        "columns read",
        "sample bytes",
        "B/event",
        "est. month",
        "est. cost",
        "vs pypinfo",
    )
    baseline = [0, 0, 2, 2, 2, 5, 5, 5]  # the row each is compared with: pypinfo's, same question
    rows = []
    for (name, sql, nbytes), base in zip([*measured, before], baseline, strict=True):
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
                f"{nbytes / measured[base][2]:.3f}x",
            )
        )
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    pairs = [(1, 0), (3, 2), (6, 5)]  # (ours, pypinfo's) for the same question
    assert all(measured[o][2] <= measured[t][2] for o, t in pairs), "our SQL must not read more"
    print("\nours <= pypinfo's on every row (same installers, same question): yes")


if __name__ == "__main__":
    main()
