"""Engines by name, imported lazily so that ``toppypi --help`` stays fast.

A ``--source`` is ``duckdb``, ``clickhouse``, ``clickhouse+http(s)://host:port/?user=u``
or ``bigquery[:PROJECT]``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from toppypi.engines.interface import Capabilities, Engine
from toppypi.errors import UsageError
from toppypi.model.query import Field

# name -> "module:factory"; each factory takes (spec, **options) and returns an Engine.
_FACTORIES: dict[str, str] = {
    "duckdb": "toppypi.engines.duckdb:open_engine",
    "clickhouse": "toppypi.engines.clickhouse:open_engine",
    "bigquery": "toppypi.engines.bigquery:open_engine",
}

# Static capabilities, so that a refusal can name other engines without importing them.
_CAPABILITIES: dict[str, str] = {
    "duckdb": "toppypi.engines.duckdb.capabilities:CAPABILITIES",
    "clickhouse": "toppypi.engines.clickhouse.capabilities:CAPABILITIES",
    "bigquery": "toppypi.engines.bigquery.capabilities:CAPABILITIES",
}

SOURCES_HELP = (
    "duckdb (default), clickhouse, clickhouse+http(s)://HOST:PORT/?user=U, bigquery[:PROJECT]"
)


def engine_name(source: str) -> str:
    """The engine a ``--source`` string names."""
    s = source.strip()
    for name in _FACTORIES:
        if s == name or s.startswith(f"{name}:") or s.startswith(f"{name}+"):
            return name
    raise UsageError(f"unknown source {source!r}; use one of: {SOURCES_HELP}")


def _load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def engine_names() -> list[str]:
    return list(_FACTORIES)


def capabilities_of(name: str) -> Capabilities | None:
    try:
        caps = _load(_CAPABILITIES[name])
    except (ImportError, KeyError):
        return None
    return caps if isinstance(caps, Capabilities) else None


def engines_supporting(fld: Field) -> list[str]:
    out = []
    for name in _FACTORIES:
        caps = capabilities_of(name)
        if caps is not None and fld in caps.dimensions:
            out.append(name)
    return out


def open_engine(source: str = "duckdb", *, db: str | Path | None = None, **options: Any) -> Engine:
    """Open the engine a ``--source`` names; options are passed to its factory."""
    name = engine_name(source)
    try:
        factory = _load(_FACTORIES[name])
    except ImportError as exc:
        raise UsageError(
            f"the {name} engine is not available ({exc}); install toppypi[{name}]"
        ) from None
    engine: Engine = factory(source.strip(), db=db, **options)
    return engine
