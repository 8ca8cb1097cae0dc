"""Release notes: ``archive/YYYY-MM/RELEASE.md`` and the CHANGELOG.md entry.

The text depends only on the archived data, the tag and the reason given, so
a rerun writes it byte for byte again. Times come from the snapshot's
``last_update``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from toppypi.model.period import parse_month
from toppypi.model.ranking import Ranking
from toppypi.movers import Move, compare

RELEASE_FILE = "RELEASE.md"
CHANGELOG_FILE = "CHANGELOG.md"
LIST_LENGTH = 10

CHANGELOG_HEADER = """\
# Changelog

One entry per release, newest first. A release is an annotated git tag
`YYYY.MM` named after the month it is published in, as the original
top-pypi-packages dataset names its tags: `2026.04` holds the ranking for
March 2026. A corrected re-release of a month is `YYYY.MM.N`. Each release's
full notes are in `archive/YYYY-MM/RELEASE.md`.
"""


@dataclass(frozen=True)
class NotesInput:
    tag: str
    month: str  # the data's month, YYYY-MM
    snapshot: Ranking
    previous: Ranking | None  # the month before, when archived
    previous_month: str | None
    checks: dict[str, Any] | None  # archive/YYYY-MM/checks.json
    reason: str | None = None  # why a month is re-released
    replaces: str | None = None  # the tag a re-release corrects
    year: Ranking | None = None  # the 12-month list ending with the month, when made


def month_name(month: str) -> str:
    return dt.date.fromisoformat(f"{month}-01").strftime("%B %Y")


def _pct(new: int, old: int) -> str:
    return f"{100.0 * (new - old) / old:+.1f}%" if old else "n/a"


def _gates(checks: dict[str, Any] | None) -> tuple[str, list[str]]:
    if checks is None:
        return "not recorded", []
    findings = checks.get("findings", [])
    lines = [f"- **{f['severity']}** {f['check']}: {f['message']}" for f in findings]
    if checks.get("passed"):
        warned = sum(1 for f in findings if f.get("severity") == "warn")
        if warned:
            return f"passed with {warned} warning{'s' if warned > 1 else ''}", lines
        return "passed", lines
    return "FAILED, published with --force", lines


def _move_rows(moves: list[Move]) -> list[str]:
    out = []
    for m in moves:
        change = m.rank_change
        sign = f"{change:+d}" if change is not None else ("out" if m.rank is None else "new")
        was = f"{m.previous_rank:,}" if m.previous_rank is not None else "-"
        now = f"{m.rank:,}" if m.rank is not None else "-"
        out.append(f"| {m.project} | {now} | {was} | {sign} |")
    return out


def _move_table(title: str, moves: list[Move], total: int) -> list[str]:
    more = f" (first {len(moves)} of {total:,})" if total > len(moves) else ""
    if not moves:
        return [f"### {title}", "", "None.", ""]
    return [
        f"### {title}{more}",
        "",
        "| project | rank | was | change |",
        "|---|---:|---:|---:|",
        *_move_rows(moves),
        "",
    ]


def summary_line(n: NotesInput) -> str:
    snap = n.snapshot
    gate, _ = _gates(n.checks)
    return (
        f"{month_name(n.month)}, {snap.source}, {len(snap):,} projects, "
        f"{snap.total_downloads:,} downloads; quality gates {gate}."
    )


def totals_lines(snap: Ranking) -> list[str]:
    """The whole period beyond the top N, where it is known."""
    t = snap.totals
    out = []
    projects = snap.projects_with_downloads
    if projects:
        out.append(f"- Projects with downloads: {projects:,}")
    if t.downloads:
        out.append(f"- Downloads of every project: {t.downloads:,}")
        share = t.top_share(snap.total_downloads)
        if share is not None:
            out.append(f"- Share of all downloads in the top {len(snap):,}: {share:.1%}")
    return out


def render_release_notes(n: NotesInput) -> str:
    snap = n.snapshot
    period = parse_month(n.month)
    gate, findings = _gates(n.checks)
    lines = [f"# {n.tag}: top PyPI packages, {month_name(n.month)}", ""]
    if n.reason is not None:
        lines += [f"Corrected release of {n.replaces or n.month}: {n.reason}", ""]
    lines += [
        f"- Period: {period.start} to {period.end} ({period.days} days, UTC)",
        f"- Engine: {snap.source} (installers: {snap.installers})",
        f"- Queried: {snap.last_update_text} UTC",
        f"- Projects: {len(snap):,}",
        f"- Downloads in these projects: {snap.total_downloads:,}",
        *totals_lines(snap),
    ]
    if n.previous is not None and n.previous_month is not None:
        lines.append(
            f"- Downloads since {n.previous_month}: "
            f"{_pct(snap.total_downloads, n.previous.total_downloads)}"
        )
    lines += [f"- Quality gates: {gate}", ""]
    lines += ["## Top 10", "", "| rank | project | downloads |", "|---:|---|---:|"]
    lines += [
        f"| {i} | {project} | {count:,} |"
        for i, (count, project) in enumerate(list(snap.rows())[:LIST_LENGTH], 1)
    ]
    lines.append("")
    if n.previous is not None and n.previous_month is not None:
        full = compare(n.previous, snap, top=len(snap) or 1)
        lines += [f"## Top movers since {n.previous_month}", ""]
        lines += _move_table("Climbers", full.climbers[:LIST_LENGTH], len(full.climbers))
        lines += _move_table("Fallers", full.fallers[:LIST_LENGTH], len(full.fallers))
        lines += _move_table("New entries", full.new[:LIST_LENGTH], len(full.new))
        lines += _move_table("Dropped out", full.dropped[:LIST_LENGTH], len(full.dropped))
    else:
        lines += ["## Top movers", "", "No earlier month is archived to compare with.", ""]
    lines += ["## Quality gates", "", *(findings or ["No findings recorded."]), ""]
    lines += _year_section(n)
    lines += [
        "## Files",
        "",
        f"`archive/{n.month}/` holds this month's dumps; its `provenance.json` says how they",
        "were made (engine, the SQL sent, period, freshness, cost). `SHA256SUMS` at the top of",
        "the repository lists a checksum for every published file (`sha256sum -c SHA256SUMS`).",
        "",
    ]
    return "\n".join(lines)


def _year_section(n: NotesInput) -> list[str]:
    """The 12-month list published with the month (the 365-day series)."""
    year = n.year
    if year is None or year.period is None:
        return []
    checks = (n.checks or {}).get("365_days")
    gate, findings = _gates(checks if isinstance(checks, dict) else None)
    top = ", ".join(year.projects[:5])
    return [
        "## The 12-month list",
        "",
        f"`top-pypi-packages-365-days.{{json,min.json,csv}}`: the {len(year):,} projects most "
        f"downloaded from {year.period.start} to {year.period.end} ({year.period.days} days); "
        f"{year.total_downloads:,} downloads in them; first {top}. Quality gates {gate}.",
        "",
        *findings,
        *([""] if findings else []),
    ]


def changelog_entry(n: NotesInput) -> str:
    day = n.snapshot.last_update.date().isoformat()
    lines = [f"## [{n.tag}] - {day}", ""]
    if n.reason is not None:
        lines += [f"Corrects {n.replaces or n.month}: {n.reason}", ""]
    lines += [
        summary_line(n),
        f"Notes: [archive/{n.month}/{RELEASE_FILE}](archive/{n.month}/{RELEASE_FILE}).",
        "",
        "",
    ]
    return "\n".join(lines)


def _tag_key(heading: str) -> tuple[int, ...] | None:
    """``## [2026.04.1] - ...`` -> (2026, 4, 1); None for a heading that is not a release."""
    m = re.match(r"## \[(\d+(?:\.\d+)*)\]", heading)
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def _insert_at(lines: list[str], starts: list[int], tag: str) -> int:
    """Where a new release goes: above the first older one, so a backfilled month
    lands in tag order and not at the top."""
    key = _tag_key(f"## [{tag}]")
    releases = [(i, k) for i in starts if (k := _tag_key(lines[i])) is not None]
    if key is None or not releases:
        return starts[0] if starts else len(lines)
    for i, k in releases:
        if k < key:
            return i
    after = [i for i in starts if i > releases[-1][0]]  # below the oldest release's entry
    return after[0] if after else len(lines)


def update_changelog(text: str | None, tag: str, entry: str) -> str:
    """Put ``entry`` in the changelog: replace the tag's entry, or add it newest first."""
    lines = (text or CHANGELOG_HEADER).splitlines(keepends=True)
    heading = f"## [{tag}]"
    starts = [i for i, ln in enumerate(lines) if ln.startswith("## ")]
    mine = [i for i in starts if lines[i].startswith(heading + " ") or lines[i].strip() == heading]
    block = entry.splitlines(keepends=True)
    if mine:
        begin = mine[0]
        after = [i for i in starts if i > begin]
        end = after[0] if after else len(lines)
        lines[begin:end] = block
    else:
        at = _insert_at(lines, starts, tag)
        if at == len(lines) and lines and lines[-1].strip():
            block = ["\n", *block]
        lines[at:at] = block
    return "".join(lines).rstrip("\n") + "\n"
