"""What makes a list of rows a ranking: the checks every reader and the structure gate share.

A dump that fails one is refused when read (one line naming the file and the
row), and a freshly queried ranking that fails one fails the structure gate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

MAX_COUNT = 2**63 - 1  # int64, what every engine and Parquet hold
EARLIEST = dt.date(2016, 1, 1)  # PyPI's download data starts in 2016
_NAME = r"[a-z0-9]+(?:-[a-z0-9]+)*"  # already PEP 503: nothing to normalise
_ALL_NORMAL = re.compile(rf"{_NAME}(?:\n{_NAME})*")  # one regex pass over every name
# A PyPI project name (PEP 508): what every published dump holds, 30,444 names since 2018.
_VALID = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_ONE_VALID = re.compile(_VALID)
_ALL_VALID = re.compile(rf"{_VALID}(?:\n{_VALID})*")
MAX_NAME = 200


def duplicates(projects: Sequence[str]) -> list[tuple[str, int, int]]:
    """``(name, first row, repeated row)`` for names equal after PEP 503 normalisation."""
    if len(set(projects)) == len(projects) and (
        not projects or _ALL_NORMAL.fullmatch("\n".join(projects))
    ):
        return []
    from packaging.utils import canonicalize_name

    seen: dict[str, int] = {}
    out = []
    for i, p in enumerate(projects, 1):
        key = canonicalize_name(p)
        if key in seen:
            out.append((p, seen[key], i))
        else:
            seen[key] = i
    return out


def first_step_up(counts: Sequence[int]) -> int | None:
    """The 1-based row whose count is above the row before it (not descending)."""
    for i in range(1, len(counts)):
        if counts[i] > counts[i - 1]:
            return i + 1
    return None


def problems(projects: Sequence[str], counts: Sequence[int]) -> list[str]:
    """Everything that keeps the rows from being one ranking, most telling first."""
    out = []
    if not projects:
        return ["no rows"]
    for i, (p, c) in enumerate(zip(projects, counts, strict=True), 1):
        if not isinstance(p, str) or not p.strip():
            out.append(f"row {i}: the project name is empty")
            break
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c <= MAX_COUNT:
            out.append(f"row {i}: download_count {_short(c)} is not a count")
            break
    if out:
        return out
    if not _ALL_VALID.fullmatch("\n".join(projects)) or max(map(len, projects)) > MAX_NAME:
        i, bad = next(
            (i, p)
            for i, p in enumerate(projects, 1)
            if len(p) > MAX_NAME or not _ONE_VALID.fullmatch(p)
        )
        return [f"row {i}: {_short(bad)} is not a project name (PEP 508)"]
    dupes = duplicates(projects)
    if dupes:
        name, a, b = dupes[0]
        more = f" (and {len(dupes) - 1} more)" if len(dupes) > 1 else ""
        out.append(f"project {name!r} appears twice (rows {a} and {b}){more}")
    if not out:
        step = first_step_up(counts)
        if step is not None:
            out.append(
                f"row {step}: counts not in descending order ({projects[step - 1]} "
                f"{counts[step - 1]:,} > {counts[step - 2]:,})"
            )
    return out


def timestamp_problem(when: dt.datetime, today: dt.date | None = None) -> str | None:
    """A dump is dated from 2016 (PyPI's data) to tomorrow (clocks differ); else it is wrong."""
    latest = (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)
    if not EARLIEST <= when.date() <= latest:
        return f"last_update {when:%Y-%m-%d} is outside {EARLIEST} .. {latest}"
    return None


def _short(value: object, most: int = 40) -> str:
    text = repr(value) if not isinstance(value, int) else str(value)
    return text if len(text) <= most else text[:most] + "..."
