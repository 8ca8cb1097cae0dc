"""Structure: the rows are a well-formed ranking of the size asked for."""

from __future__ import annotations

from packaging.utils import canonicalize_name

from toppypi.checks import Finding, Severity
from toppypi.snapshot import Snapshot

NAME = "structure"


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
    for i, r in enumerate(rows, 1):
        key = canonicalize_name(r.project)
        if key in seen:
            dupes.append(f"{r.project} (rows {seen[key]} and {i})")
        seen.setdefault(key, i)
    if dupes:
        fail(f"{len(dupes)} duplicate name(s), e.g. {', '.join(dupes[:3])}")
    bad = [r.project for r in rows if r.download_count <= 0]
    if bad:
        fail(f"{len(bad)} non-positive count(s), e.g. {', '.join(bad[:3])}")
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
