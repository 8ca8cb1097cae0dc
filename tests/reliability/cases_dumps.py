"""Every broken dump of dumps.py through every dump reader: convert, check, history import, diff.

``check`` may refuse a dump as unreadable (2) or as failing a gate (4); the others
must refuse it as bad input (2). ``TODAY`` lists, per reader, the dumps accepted
or crashed on today, with what happens (none since issue 11).
"""

from __future__ import annotations

from tests.reliability.dumps import ALL_MAKERS, file_name, write_bad
from tests.reliability.harness import Case, case

READERS = ("convert", "check", "import", "diff")
# A reader needs the dataset (diff reads its dump, import writes into it) and the store
# (the default --db): the rest of the world is left out to keep 160 cases fast.
NEEDS = ("ds", "store.duckdb", "store.duckdb.events")

# What went wrong before the fixes of issue 11 is in RELIABILITY.md; a dump accepted
# or crashed on again goes here, reader -> kind -> what happens, as a strict
# expected failure, until it is fixed.
TODAY: dict[str, dict[str, str]] = {reader: {} for reader in READERS}

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
