"""The bad-input cases of the commands that fail on today's code, by cause, and how.

This is the to-do list: a fix makes its cases pass, and their strict expected-failure
markers then fail the suite until the lines below are deleted. The dump readers'
list is in cases_dumps.py.
"""

from __future__ import annotations

from dataclasses import replace

from tests.reliability.cases_commands import OTHER_CASES
from tests.reliability.cases_release import RELEASE_CASES
from tests.reliability.harness import Case

YEAR_0 = "traceback: ValueError: year 0 is out of range (model/period.py)"
STRAY = "traceback: ValueError: month must be in 1..12 (archive/2026-99 read as a month)"
ARROW = (
    "traceback: pyarrow.lib.ArrowInvalid: CSV parse error (the truncated archive/{M2} CSV, "
    "read by history/archive.py without validation)"
)
USERINFO = "prints the password: \"cannot read ClickHouse source 'clickhouse://u:PW@host'\""
RELEASED = "rewrites pub/archive/{M2} (tagged {TAG2}), deletes its RELEASE.md, exit 0"
NO_DATA = "replaces the good dump with an empty one, exit 0 (no 'no data' refusal)"
ZERO_DIV = "traceback: ZeroDivisionError in checks/drift.py measure (the month has no rows)"
KEEPS_FIRST = (
    "exit 2 for the bad file, but the first file stays ingested (store.duckdb and "
    "store.duckdb.events/ changed) and the message does not say so"
)
GIT_INIT = "exit 6 ('git init failed ... invalid initial branch name') after creating n1/.git"

TODAY: dict[str, str] = {
    # released months are rewritten
    "update-released-month": RELEASED,
    "update-released-month-forced": RELEASED,
    "update-released-month-same-data": "exit 0 ('unchanged'): not refused, the tag not named",
    "demo-dir-on-released-dataset": "replaces pub/archive/{M2} (released as {TAG2}), adds the "
    "other demo months and deletes RELEASE.md, exit 0",
    "import-over-a-released-month": "refused, but the message names no release ({TAG2}) and "
    "advises removing archive/{M2}",
    # the current month
    "update-current-month-after-a-real-size-month": ZERO_DIV,
    "publish-current-month-after-a-real-size-month": ZERO_DIV,
    # --month 0000-01
    "sample-month-0000-01": YEAR_0,
    "top-month-0000-01": YEAR_0,
    "update-month-0000-01": YEAR_0,
    "publish-month-0000-01": YEAR_0,
    "query-month-0000-01": YEAR_0,
    # secrets printed
    "top-source-userinfo-password": USERINFO,
    "update-source-userinfo-password": USERINFO,
    "publish-source-userinfo-password": USERINFO,
    "query-source-userinfo-password": USERINFO,
    "publish-token-in-toml-remote": "prints the token: the push error quotes the remote URL "
    "of toppypi.toml",
    # outputs over inputs, the store or a good dump
    "top-1969-over-a-good-dump": NO_DATA,
    "top-future-month-over-a-good-dump": NO_DATA,
    "top-empty-store-period-csv-over-a-good-dump": "replaces keep.csv with a header-only "
    "file, exit 0",
    "convert-output-onto-its-input": "keep.json is replaced by its own CSV, exit 0",
    "convert-output-onto-its-input-other-spelling": "keep.json is replaced by its min.json, exit 0",
    "convert-output-onto-the-store": "store.duckdb is replaced by a CSV, exit 0",
    "sample-output-onto-the-store": "store.duckdb is replaced by Parquet events, exit 0",
    # ingest keeps half a multi-file ingest
    "ingest-good-then-bad-file": KEEPS_FIRST,
    "ingest-good-jsonl-then-bad-file": KEEPS_FIRST,
    # init fails halfway
    "init-bad-branch-name": GIT_INIT,
    "init-bad-branch-with-token-remote": GIT_INIT,
    # a damaged or odd archive
    "update-previous-month-truncated": ARROW,
    "rebuild-truncated-month": ARROW,
    "show-truncated-month": ARROW,
    "movers-truncated-month": ARROW,
    "diff-truncated-month": ARROW,
    "rebuild-stray-month-folder": STRAY,
    "show-stray-month-folder": STRAY,
    "movers-stray-month-folder": STRAY,
    "build-stray-month-folder": STRAY,
    "build-checks-json-garbage": "a checks.json that is not JSON is ignored: the pages are "
    "rebuilt without the month's quality status, exit 0",
    # query
    "query-where-trailing-and": "-w 'country=US AND' runs as 'country=US', exit 0",
}

COMMAND_CASES: list[Case] = [
    replace(c, xfail=TODAY.get(c.id)) for c in (*RELEASE_CASES, *OTHER_CASES)
]
assert set(TODAY) <= {c.id for c in COMMAND_CASES}, set(TODAY) - {c.id for c in COMMAND_CASES}
