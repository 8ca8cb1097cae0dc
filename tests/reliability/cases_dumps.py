"""Every broken dump of dumps.py through every dump reader: convert, check, history import, diff.

``check`` may refuse a dump as unreadable (2) or as failing a gate (4); the others
must refuse it as bad input (2). ``TODAY`` lists, per reader, the dumps accepted
or crashed on today, with what happens.
"""

from __future__ import annotations

from tests.reliability.dumps import ALL_MAKERS, file_name, write_bad
from tests.reliability.harness import Case, case

READERS = ("convert", "check", "import", "diff")
# A reader needs the dataset (diff reads its dump, import writes into it) and the store
# (the default --db): the rest of the world is left out to keep 160 cases fast.
NEEDS = ("ds", "store.duckdb", "store.duckdb.events")

# What goes wrong today, by cause (from a run with TOPPYPI_RELIABILITY_CALIBRATE=1).
# A fix must delete its entries: the markers are strict.
ACCEPTED = "accepted, exit 0"
FILED = "accepted, exit 0, and filed under archive/snapshots/"
CSV_FIELD = "traceback: _csv.Error: field larger than field limit (131072)"
RECURSION = "traceback: RecursionError: maximum recursion depth exceeded (json.loads)"
DIGITS = "traceback: ValueError: Exceeds the limit (4300 digits) for integer string conversion"

_EVERY_READER = {  # kind -> reason, in every reader that reads it
    "csv-cut-inside-quote": ACCEPTED,
    "csv-field-over-128k": CSV_FIELD,
    "csv-nul-byte": ACCEPTED,
    "csv-invalid-project-name": ACCEPTED,
    "json-deeply-nested": RECURSION,
    "json-deeply-nested-meta": RECURSION,
    "json-last-update-9999-12-31": ACCEPTED,
    "json-last-update-1969": ACCEPTED,
    "json-last-update-2099": ACCEPTED,
    "json-5000-digit-count": DIGITS,
}
_STRUCTURE = {  # refused by check's structure gate (exit 4) and import's strict reader today
    "csv-duplicate-project": ACCEPTED,
    "csv-duplicate-after-normalising": ACCEPTED,
    "csv-non-descending": ACCEPTED,
    "csv-header-only": ACCEPTED,
    "csv-two-dumps-concatenated": ACCEPTED,
    "csv-second-ranking-appended": ACCEPTED,
    "csv-gz-two-dumps": ACCEPTED,
    "json-duplicate-project": ACCEPTED,
    "json-non-descending": ACCEPTED,
    "json-empty-rows": ACCEPTED,
    "json-two-rows-keys": ACCEPTED,
}
TODAY: dict[str, dict[str, str]] = {
    "convert": {**_EVERY_READER, **_STRUCTURE},
    "check": _EVERY_READER,
    "import": {
        **{k: (FILED if v == ACCEPTED else v) for k, v in _EVERY_READER.items()},
        "csv-non-descending": FILED,
        "json-non-descending": FILED,
    },
    "diff": {**_EVERY_READER, **_STRUCTURE},
}

# diff reads two dumps; a representative subset keeps the suite fast.
DIFF_KINDS = (
    "csv-cut-inside-quote",
    "csv-duplicate-project",
    "csv-two-dumps-concatenated",
    "csv-5000-digit-count",
    "csv-field-over-128k",
    "json-truncated",
    "json-deeply-nested",
    "json-last-update-9999-12-31",
    "json-5000-digit-count",
    "json-duplicate-project",
    "json-non-descending",
)


def _args(reader: str, path: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    if reader == "convert":
        return ("convert", path, "--format", "json"), (2,)
    if reader == "check":
        return ("check", path, "--date", "2024-01-01"), (2, 4)
    if reader == "import":
        return ("history", "import", path, "--dataset", "ds", "--date", "2024-01-01"), (2,)
    return ("diff", path, "ds/top-pypi-packages.json"), (2,)


def dump_cases() -> list[Case]:
    out = []
    for reader in READERS:
        kinds = DIFF_KINDS if reader == "diff" else tuple(ALL_MAKERS)
        for kind in kinds:
            args, codes = _args(reader, file_name(kind))
            out.append(
                case(
                    f"{reader}-{kind}",
                    *args,
                    codes=codes,
                    prepare=write_bad(kind),
                    xfail=TODAY[reader].get(kind),
                    needs=NEEDS,
                )
            )
    return out


DUMP_CASES: list[Case] = dump_cases()
