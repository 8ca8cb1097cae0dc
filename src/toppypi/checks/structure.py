"""Structure: the rows are a well-formed ranking of the size asked for.

The same checks the dump readers apply (one ranking, unique names, counts
descending); a freshly queried ranking meets them here.
"""

from __future__ import annotations

from toppypi.checks import Finding, Severity
from toppypi.formats import validate
from toppypi.model.ranking import Ranking

NAME = "structure"


def check_structure(r: Ranking, expected_rows: int | None = None) -> list[Finding]:
    out: list[Finding] = []

    def fail(msg: str) -> None:
        out.append(Finding(NAME, Severity.FAIL, msg))

    if not r.projects:
        fail("no rows (an empty dump is never published)")
        return out
    if expected_rows and len(r) != expected_rows:
        fail(f"{len(r)} rows, expected {expected_rows}")
    for problem in validate.problems(r.projects, r.counts):
        fail(problem)
    zero = [p for p, c in zip(r.projects, r.counts, strict=True) if c <= 0]
    if zero:
        fail(f"{len(zero)} non-positive count(s), e.g. {', '.join(zero[:3])}")
    if not out:
        out.append(Finding(NAME, Severity.OK, f"{len(r)} rows, unique, descending"))
    return out
