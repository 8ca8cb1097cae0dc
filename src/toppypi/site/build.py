"""Assemble the whole site in memory, then write only the files whose bytes changed."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from toppypi.atomic import temp_path_for
from toppypi.dataset import Dataset
from toppypi.site import pages
from toppypi.site.badges import badge_files, existing_keys
from toppypi.site.data import load_site_data, month_data
from toppypi.site.series import load_history, project_shards, ranked_in, snapshots_json

ASSETS = ("table.js", "project.js")
DEFAULT_TITLE = "Top PyPI Packages"


@dataclass
class SiteBuild:
    root: Path
    files: list[Path] = field(default_factory=list)  # every file of the site
    written: list[Path] = field(default_factory=list)  # those whose bytes changed
    removed: list[Path] = field(default_factory=list)  # pages of months no longer archived
    months: list[str] = field(default_factory=list)
    snapshots: int = 0  # every archived snapshot, both windows
    skipped: list[str] = field(default_factory=list)  # archive/ folders that hold no snapshot


@dataclass
class SiteFiles:
    files: dict[str, bytes] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    snapshots: int = 0
    skipped: list[str] = field(default_factory=list)


def site_files(root: Path, *, title: str = DEFAULT_TITLE) -> SiteFiles:
    """The site as ``{relative path: bytes}``, with what it covers.

    Badges also depend on ``badges/`` itself: a project that left the list keeps
    its badge, rewritten as "unranked".
    """
    data = load_site_data(Dataset(root))
    hist = load_history(root, {m.month: m.snapshot for m in data.months})
    out = SiteFiles(snapshots=len(hist.snaps), skipped=data.skipped + hist.skipped)
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


def configured_title(root: Path) -> str:
    """``[dataset] title`` of the dataset's toppypi.toml, so every builder names pages alike."""
    from toppypi.publish.config import load_config

    cfg = load_config(root)
    return cfg.title if cfg is not None else DEFAULT_TITLE


def build(root: Path, *, title: str | None = None) -> SiteBuild:
    """Write the site into the dataset ``root``; each file atomically, unchanged ones untouched.

    The title defaults to the one ``toppypi.toml`` sets (update, publish and
    ``site build`` all come through here).
    """
    site = site_files(root, title=configured_title(root) if title is None else title)
    out = SiteBuild(root, months=site.months, snapshots=site.snapshots, skipped=site.skipped)
    out.files = [root / rel for rel in sorted(site.files)]
    out.written = write_changed(root, site.files)
    out.removed = remove_stale(root, set(site.files))
    return out


def write_changed(root: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write the files whose bytes differ, each atomically, with one flush for them all.

    ``atomic_write`` syncs every file, 3 ms apiece: 30,000 badges would take
    a minute and a half. Here each changed file goes to a temporary sibling,
    one ``os.sync`` makes them all durable, and only then is each renamed over
    its target; a failure removes the temporaries and leaves every target whole.
    """
    changed = []
    for rel in sorted(files):
        path, data = root / rel, files[rel]
        if not (path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data):
            changed.append((path, data))
    with contextlib.ExitStack() as stack:
        for path, data in changed:
            stack.enter_context(temp_path_for(path)).write_bytes(data)
        if changed and hasattr(os, "sync"):
            os.sync()
    return [path for path, _data in changed]


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
