"""Assemble the whole site in memory; the dataset writes only the files whose bytes changed."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from toppypi.site import pages
from toppypi.site.badges import badge_files, existing_keys
from toppypi.site.data import Archive, load_site_data, month_data
from toppypi.site.series import load_history, project_shards, ranked_in, snapshots_json

ASSETS = ("table.js", "project.js")
# Everything the site writes sits under these names at the dataset's top: a release
# commits them (and a test holds that a built site leaves nothing else behind).
SITE_ROOTS = (
    "index.html",
    "movers.html",
    "archive.html",
    "project.html",
    "assets",
    "data",
    "month",
    "badges",
)
DEFAULT_TITLE = "Top PyPI Packages"


@dataclass
class SiteFiles:
    files: dict[str, bytes] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    snapshots: int = 0
    skipped: list[str] = field(default_factory=list)


def site_files(ds: Archive, *, title: str = DEFAULT_TITLE) -> SiteFiles:
    """The site as ``{relative path: bytes}``, with what it covers.

    Badges also depend on ``badges/`` itself: a project that left the list keeps
    its badge, rewritten as "unranked".
    """
    root = ds.root
    data = load_site_data(ds)
    hist = load_history(ds, {m.month: m.snapshot for m in data.months})
    out = SiteFiles(snapshots=len(hist.snaps), skipped=hist.skipped)
    if not data.months:
        return out
    static = resources.files("toppypi.site") / "static"
    files = {f"assets/{name}": (static / name).read_bytes() for name in ASSETS}
    env = pages.environment((static / "site.css").read_text(encoding="utf-8"))
    latest = data.latest
    for m in data.months:
        rows = data.rows(m)
        files[f"data/{m.month}.json"] = month_data(rows, m.month, m.previous is not None)
        is_latest = m is latest
        files.update(pages.month_page(env, data, m, rows, latest=is_latest, title=title))
        files.update(pages.movers_page(env, data, m, latest=is_latest, title=title))
    files["data/snapshots.json"] = snapshots_json(hist)
    for i, shard in enumerate(project_shards(hist)):
        files[f"data/projects/{i:02x}.json"] = shard
    files.update(pages.archive_page(env, data, hist, title=title))
    files.update(pages.project_page(env, data, title=title))
    files.update(badge_files(ranked_in(hist, hist.latest), existing_keys(root)))
    out.files, out.months = files, [m.month for m in data.months]
    return out


# The files the site generates per month or per shard; only these are ever removed.
GENERATED = ("month/*/index.html", "month/*/movers.html", "data/*.json", "data/projects/*.json")
MONTH_NAME = re.compile(r"\d{4}-\d{2}")
SHARD_NAME = re.compile(r"[0-9a-f]{2}")


def remove_stale(root: Path, keep: set[str]) -> list[Path]:
    """Delete the pages and data files of months that left ``archive/``.

    Only names the site itself generates (``month/YYYY-MM/``, ``data/YYYY-MM.json``,
    ``data/projects/xx.json``) are candidates, so a user's own files stay.
    """
    removed = []
    for pattern in GENERATED:
        for path in sorted(root.glob(pattern)):
            rel = path.relative_to(root).as_posix()
            name = path.parent.name if rel.startswith("month/") else path.stem
            shard = rel.startswith("data/projects/")
            owned = (SHARD_NAME if shard else MONTH_NAME).fullmatch(name)
            if rel not in keep and owned and path.is_file():
                path.unlink()
                removed.append(path)
    for folder in {p.parent for p in removed if p.parent.parent.name == "month"}:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty
    return removed
