"""``datapackage.json``: a Frictionless Data Package describing every published file.

Data catalogues and Zenodo read it. It lists the same files as
``SHA256SUMS`` (the latest dumps and everything archived), each with its
format and, for the CSV tables, their schema; the licence and sources come
from ``toppypi.toml``. It is rebuilt from the folder alone, so a rerun writes
the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toppypi.publish.config import Config

NAME = "datapackage.json"
PROFILE = "data-package"  # JSON and Parquet files too, not only tables
SCHEMA = {
    "fields": [
        {"name": "download_count", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "project", "type": "string", "constraints": {"required": True}},
    ],
    "primaryKey": ["project"],
}
SOURCES = {
    "ClickHouse": (
        "PyPI downloads in ClickHouse's public ClickPy database",
        "https://clickpy.clickhouse.com",
    ),
    "BigQuery": (
        "PyPI downloads in Google BigQuery (bigquery-public-data.pypi.file_downloads)",
        "https://console.cloud.google.com/bigquery?p=bigquery-public-data&d=pypi",
    ),
    "BigQuery/pypinfo": (
        "The top-pypi-packages dataset (pypinfo on BigQuery, 2018-2025)",
        "https://github.com/hugovk/top-pypi-packages",
    ),
    "DuckDB": ("Download events ingested into a local DuckDB store", ""),
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-") or "dataset"


def resource(rel: str) -> dict[str, Any]:
    """One file: a table (CSV), a JSON document, or a file of another kind."""
    name = _slug(rel.replace("/", "-"))
    if rel.endswith(".csv.gz"):
        return {"name": name, "path": rel, "type": "table", "format": "csv",
                "compression": "gz", "mediatype": "text/csv", "schema": SCHEMA}  # fmt: skip
    if rel.endswith(".csv") and Path(rel).name.startswith("top-pypi-packages"):
        return {"name": name, "path": rel, "type": "table", "format": "csv",
                "mediatype": "text/csv", "encoding": "utf-8", "schema": SCHEMA}  # fmt: skip
    if rel.endswith(".json"):
        return {"name": name, "path": rel, "type": "json", "format": "json",
                "mediatype": "application/json"}  # fmt: skip
    if rel.endswith(".parquet"):
        return {"name": name, "path": rel, "type": "file", "format": "parquet",
                "mediatype": "application/vnd.apache.parquet"}  # fmt: skip
    if rel.endswith(".md"):
        return {"name": name, "path": rel, "type": "file", "format": "md",
                "mediatype": "text/markdown"}  # fmt: skip
    return {"name": name, "path": rel, "type": "file"}


def render(root: Path, files: Sequence[Path], cfg: Config | None, engines: Sequence[str]) -> bytes:
    """The package for ``files`` (published, relative to ``root``), deterministic."""
    cfg = cfg or Config()
    rels = sorted(p.relative_to(root).as_posix() for p in files)
    licence = (
        {"name": cfg.license, "path": f"https://spdx.org/licenses/{cfg.license}.html"}
        if cfg.license
        else {
            "name": "NOASSERTION",
            "title": "No licence claimed: set [citation] license in toppypi.toml",
        }
    )
    sources = []
    for engine in sorted(set(engines)):
        title, path = SOURCES.get(engine, (f"PyPI downloads ({engine})", ""))
        sources.append({"title": title, **({"path": path} if path else {})})
    package: dict[str, Any] = {
        "profile": PROFILE,
        "name": _slug(cfg.title),
        "title": cfg.title,
        "description": cfg.description,
        "keywords": list(cfg.keywords),
        "licenses": [licence],
        "sources": sources,
        "contributors": [{"title": a, "role": "author"} for a in cfg.authors],
        **({"homepage": cfg.repository} if cfg.repository else {}),
        "resources": [resource(rel) for rel in rels],
    }
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode()
