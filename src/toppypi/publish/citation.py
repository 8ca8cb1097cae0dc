"""CITATION.cff and .zenodo.json: what a citation of one release says.

Both are pure functions of the settings, the tag and the release date (the
snapshot's ``last_update``), never the wall clock, so a rerun writes the same
bytes. Zenodo reads ``.zenodo.json`` when GitHub publishes the release and
mints the DOI; GitHub's "Cite this repository" reads ``CITATION.cff``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from toppypi.publish.config import Config
from toppypi.publish.notes import month_name

CFF_FILE = "CITATION.cff"
ZENODO_FILE = ".zenodo.json"


@dataclass(frozen=True)
class Release:
    """The citable identity of one release; None fields before the first one."""

    version: str | None = None  # the tag, YYYY.MM or YYYY.MM.N
    date: dt.date | None = None  # from the snapshot's last_update
    month: str | None = None  # the data's month, YYYY-MM


def _q(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is valid YAML."""
    return json.dumps(text, ensure_ascii=False)


def _abstract(cfg: Config, rel: Release) -> str:
    if rel.month is None:
        return cfg.description
    return f"{cfg.description} This release holds the ranking for {month_name(rel.month)}."


def render_cff(cfg: Config, rel: Release) -> str:
    lines = [
        "# Written by toppypi at each release; edit toppypi.toml [citation] instead.",
        "cff-version: 1.2.0",
        'message: "If you use this dataset, please cite it as below."',
        "type: dataset",
        f"title: {_q(cfg.title)}",
        f"abstract: {_q(_abstract(cfg, rel))}",
        "authors:",
        *(f"  - name: {_q(a)}" for a in cfg.authors),
    ]
    if rel.version is not None:
        lines.append(f"version: {_q(rel.version)}")
    if rel.date is not None:
        lines.append(f"date-released: {_q(rel.date.isoformat())}")
    if cfg.license:
        lines.append(f"license: {_q(cfg.license)}")
    if cfg.repository:
        lines.append(f"repository-code: {_q(cfg.repository)}")
    lines.append("keywords:")
    lines += [f"  - {_q(k)}" for k in cfg.keywords]
    return "\n".join(lines) + "\n"


def render_zenodo(cfg: Config, rel: Release) -> str:
    obj: dict[str, object] = {
        "upload_type": "dataset",
        "title": cfg.title if rel.version is None else f"{cfg.title} {rel.version}",
        "description": _abstract(cfg, rel),
        "creators": [{"name": a} for a in cfg.authors],
        "keywords": list(cfg.keywords),
    }
    if rel.version is not None:
        obj["version"] = rel.version
    if rel.date is not None:
        obj["publication_date"] = rel.date.isoformat()
    if cfg.license:
        obj["license"] = cfg.license
    if cfg.repository:
        obj["related_identifiers"] = [
            {"identifier": cfg.repository, "relation": "isSupplementTo", "scheme": "url"}
        ]
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
