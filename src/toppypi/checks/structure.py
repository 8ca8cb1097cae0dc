"""Structure: the rows are a well-formed ranking of the size asked for."""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from toppypi.checks import Finding, Severity
from toppypi.model.snapshot import Snapshot

NAME = "structure"
_NORMAL = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # already PEP 503: no need to normalise


def check_structure(snapshot: Snapshot, expected_rows: int | None = None) -> list[Finding]:
    out: list[Finding] = []

    def fail(msg: str) -> None:
        out.append(Finding(NAME, Severity.FAIL, msg))

    rows = snapshot.rows
    if not rows:
        fail("no rows (an empty dump is never published)")
        return out
    if expected_rows and len(rows) != expected_rows:
        fail(f"{len(rows)} rows, expected {expected_rows}")
    if snapshot.repeated_headers:
        fail(f"the CSV header repeats {snapshot.repeated_headers} time(s): two dumps in one file")
    seen: dict[str, int] = {}
    dupes = []
    names = [r.project for r in rows]
    normal = len(set(names)) == len(names) and all(_NORMAL.fullmatch(p) for p in names)
    for i, r in enumerate(rows, 1):
        key = r.project if normal else canonicalize_name(r.project)
        if key in seen:
            dupes.append(f"{r.project} (rows {seen[key]} and {i})")
        seen.setdefault(key, i)
    if dupes:
        fail(f"{len(dupes)} duplicate name(s), e.g. {', '.join(dupes[:3])}")
    bad = [r.project for r in rows if r.download_count <= 0]
    if bad:
        fail(f"{len(bad)} non-positive count(s), e.g. {', '.join(bad[:3])}")
    restart = repeated_block(snapshot)
    if restart is not None:
        fail(
            f"a second ranking starts at row {restart} ({rows[restart - 1].project} again): "
            "two dumps in one file"
        )
    for i in range(1, len(rows)):
        if rows[i].download_count > rows[i - 1].download_count:
            fail(
                f"counts not in descending order at row {i + 1} "
                f"({rows[i].project} {rows[i].download_count} > {rows[i - 1].download_count})"
            )
            break
    if not out:
        out.append(Finding(NAME, Severity.OK, f"{len(rows)} rows, unique, descending"))
    return out


def repeated_block(snapshot: Snapshot, head: int = 10) -> int | None:
    """The 1-based row where the ranking starts over, as in the 2024-08-30 CSV.

    A row that is both a step up in counts and one of the first ``head``
    projects means a second dump was appended under the same header.
    """
    rows = snapshot.rows
    first = {r.project for r in rows[:head]}
    for i in range(head, len(rows)):
        if rows[i].download_count > rows[i - 1].download_count and rows[i].project in first:
            return i + 1
    return None
