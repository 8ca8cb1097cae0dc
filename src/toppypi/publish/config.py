"""``toppypi.toml``: the settings of one dataset repo.

``toppypi update --dataset DIR`` takes its defaults from it, so the monthly
job is the same command whoever (or whichever scheduler) runs it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from toppypi.errors import UsageError

CONFIG_FILE = "toppypi.toml"
DEFAULT_AUTHOR = "toppypi <toppypi@users.noreply.github.com>"
WINDOWS = ("month",)


class ConfigError(UsageError):
    """A toppypi.toml that cannot be read or holds a wrong value."""


@dataclass(frozen=True)
class Config:
    """Every setting, with the defaults ``toppypi init`` writes."""

    # [dataset]
    title: str = "Top PyPI packages"
    source: str = "clickhouse"  # the anchor's source: free, public, nothing to set up
    db: str = ""  # the local store for the duckdb source, relative to the dataset root
    limit: int = 15000
    installers: str = "all"
    window: str = "month"  # calendar months, as the anchor publishes since 2025-07
    full_list: bool = True  # archive every project with downloads
    year_list: bool = True  # the 12-month list, top-pypi-packages-365-days.*
    layout: str = ""  # JSON layout: "" (the engine's era), clickhouse or pypinfo
    # [publish]
    remote: str = ""  # a git remote name or URL; "" keeps releases local
    branch: str = "main"
    author: str = DEFAULT_AUTHOR  # "Name <email>" of release commits and tags
    # [citation]
    authors: tuple[str, ...] = ("toppypi contributors",)
    license: str = ""  # an SPDX id; empty: none is claimed
    repository: str = ""  # URL of the dataset repo, for CITATION.cff and .zenodo.json
    description: str = "A monthly ranking of PyPI projects by downloads."
    keywords: tuple[str, ...] = field(default=("PyPI", "Python", "downloads", "dataset"))

    @property
    def author_name(self) -> str:
        return split_author(self.author)[0]

    @property
    def author_email(self) -> str:
        return split_author(self.author)[1]

    def db_path(self, root: Path) -> Path | None:
        return (root / self.db) if self.db else None


SECTIONS: dict[str, tuple[str, ...]] = {
    "dataset": (
        "title",
        "source",
        "db",
        "limit",
        "installers",
        "window",
        "full_list",
        "year_list",
        "layout",
    ),
    "publish": ("remote", "branch", "author"),
    "citation": ("authors", "license", "repository", "description", "keywords"),
}


def split_author(text: str) -> tuple[str, str]:
    name, sep, rest = text.partition("<")
    if not sep or not rest.endswith(">") or not name.strip() or "@" not in rest:
        raise ConfigError(f"author {text!r} is not 'Name <email>'")
    return name.strip(), rest[:-1].strip()


def _check(key: str, value: Any, default: Any) -> Any:
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{CONFIG_FILE}: {key} must be a list of strings")
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{CONFIG_FILE}: {key} must be true or false, not {value!r}")
        return value
    if isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{CONFIG_FILE}: {key} must be a positive integer, not {value!r}")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{CONFIG_FILE}: {key} must be a string, not {value!r}")
    return value


def parse_config(data: dict[str, Any]) -> Config:
    """Validate a parsed toppypi.toml; unknown keys are errors, not silently ignored."""
    defaults = Config()
    values: dict[str, Any] = {}
    for section, body in data.items():
        if section not in SECTIONS or not isinstance(body, dict):
            raise ConfigError(
                f"{CONFIG_FILE}: unknown section [{section}]; use {', '.join(SECTIONS)}"
            )
        for key, value in body.items():
            if key not in SECTIONS[section]:
                raise ConfigError(
                    f"{CONFIG_FILE}: unknown key {key!r} in [{section}]; "
                    f"use {', '.join(SECTIONS[section])}"
                )
            values[key] = _check(key, value, getattr(defaults, key))
    cfg = Config(**values)
    if cfg.window not in WINDOWS:
        raise ConfigError(
            f"{CONFIG_FILE}: window {cfg.window!r} is not supported; releases are calendar "
            'months (window = "month")'
        )
    if cfg.layout not in ("", "clickhouse", "pypinfo"):
        raise ConfigError(
            f'{CONFIG_FILE}: layout {cfg.layout!r} is not "", "clickhouse" or "pypinfo"'
        )
    split_author(cfg.author)
    return cfg


def load_config(root: Path) -> Config | None:
    """The dataset's settings, or None when ``root`` has no toppypi.toml."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_config(data)


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, tuple):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)  # a JSON string is a valid TOML basic string


COMMENTS = {
    "source": "engine: duckdb, clickhouse, bigquery[:PROJECT], ...",
    "db": "local store for the duckdb source, relative to this file",
    "limit": "N: rows in each dump",
    "installers": "all, no-mirrors, or a comma list such as pip,uv",
    "window": "calendar months (the only window releases use)",
    "full_list": "also archive every project with downloads (.csv.gz, .parquet)",
    "year_list": "also publish the 12-month list, top-pypi-packages-365-days.*",
    "layout": 'JSON layout: "" (the engine\'s era), "clickhouse" or "pypinfo"',
    "remote": 'git remote name or URL to push to; "" keeps releases local',
    "branch": "branch the release commits go on",
    "author": "identity of release commits and tags",
    "license": "SPDX id of the data's licence; empty claims none",
}


def render_config(cfg: Config) -> str:
    """The toml text ``init`` writes: every key, with a comment saying what it does."""
    lines = ["# toppypi dataset settings: `toppypi update --dataset .` takes its defaults here."]
    names = {f.name for f in fields(Config)}
    for section, keys in SECTIONS.items():
        lines += ["", f"[{section}]"]
        for key in keys:
            assert key in names
            line = f"{key} = {_toml_value(getattr(cfg, key))}"
            if key in COMMENTS:
                line = f"{line:<40} # {COMMENTS[key]}"
            lines.append(line)
    return "\n".join(lines) + "\n"
