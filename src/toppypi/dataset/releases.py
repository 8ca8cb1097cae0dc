"""Which months are released: the dataset's git tags say, nothing else.

A release is an annotated tag ``YYYY.MM`` named after the month it is
published in (``2026.04`` holds March 2026), and ``YYYY.MM.N`` for a corrected
re-release. A released month is immutable: only ``--republish --reason`` may
write it again.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from toppypi.errors import UsageError
from toppypi.model.period import add_months, parse_month
from toppypi.publish.git import Repo

_TAG = re.compile(r"(\d{4})\.(\d{2})(?:\.(\d+))?")


class MonthReleased(UsageError):
    """A write to a released month without ``--republish --reason``."""


def tag_for(month: str) -> str:
    """``2026.04`` for March 2026: named after the month a release is due, like the anchor's.

    Deriving it from the data month, not the clock, keeps it the same when a
    run is late, retried or backfills an older month.
    """
    first = add_months(parse_month(month).start, 1)
    return f"{first.year:04d}.{first.month:02d}"


def month_of_tag(tag: str) -> str | None:
    m = _TAG.fullmatch(tag)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    first = add_months(parse_month(f"{m.group(1)}-{m.group(2)}").start, -1)
    return f"{first.year:04d}-{first.month:02d}"


def released(root: Path) -> dict[str, list[str]]:
    """Released months and their tags (oldest release first); empty outside a git repo."""
    repo = Repo(root)
    if not repo.is_repo():
        return {}
    out: dict[str, list[str]] = {}
    for tag in sorted(repo.tags("[0-9][0-9][0-9][0-9].[0-9][0-9]*"), key=_tag_key):
        month = month_of_tag(tag)
        if month is not None:
            out.setdefault(month, []).append(tag)
    return out


def _tag_key(tag: str) -> tuple[int, ...]:
    return tuple(int(p) for p in tag.split(".") if p.isdigit())


def refuse_released(root: Path, months: list[str], what: str) -> None:
    """Stop a write (``what``) that would touch a released month."""
    tags = released(root)
    hit = [m for m in months if m in tags]
    if hit:
        m = hit[0]
        raise MonthReleased(
            f"{m} is released as {tags[m][-1]} and released months never change; "
            f"{what} refused (a correction is `toppypi update --dataset {shlex.quote(str(root))} "
            f"--month {m} --republish --reason TEXT`)"
        )
