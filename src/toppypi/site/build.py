"""Assemble the whole site in memory, then write only the files whose bytes changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from toppypi.atomic import atomic_write
from toppypi.dataset import Dataset
from toppypi.site import pages
from toppypi.site.data import load_site_data, month_data, project_shards

ASSETS = ("table.js", "project.js")
DEFAULT_TITLE = "Top PyPI Packages"


@dataclass
class SiteBuild:
    root: Path
    files: list[Path] = field(default_factory=list)  # every file of the site
    written: list[Path] = field(default_factory=list)  # those whose bytes changed
    months: list[str] = field(default_factory=list)


def site_files(root: Path, *, title: str = DEFAULT_TITLE) -> tuple[list[str], dict[str, bytes]]:
    """The site as ``{relative path: bytes}``, and the months it covers."""
    data = load_site_data(Dataset(root))
    if not data.months:
        return [], {}
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
    for i, shard in enumerate(project_shards(data)):
        files[f"data/projects/{i:02x}.json"] = shard
    files.update(pages.archive_page(env, data, title=title))
    files.update(pages.project_page(env, data, title=title))
    return [m.month for m in data.months], files


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
    months, files = site_files(root, title=configured_title(root) if title is None else title)
    out = SiteBuild(root, months=months)
    for rel in sorted(files):
        path = root / rel
        out.files.append(path)
        if atomic_write(path, files[rel]):
            out.written.append(path)
    return out
