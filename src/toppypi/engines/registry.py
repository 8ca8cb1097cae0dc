"""Engines by ``--source``, opened lazily so that ``toppypi --help`` stays fast.

A ``--source`` is ``duckdb[:PATH]``, ``clickhouse``,
``clickhouse+http(s)://HOST:PORT/?user=U`` or ``bigquery[:PROJECT]``.
:func:`describe` tells what a source is (its capabilities, display name and
driver extra) without opening anything; :func:`open_engine` opens it with
its typed options.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from toppypi.engines.capabilities import Capabilities
from toppypi.engines.catalog import CATALOG
from toppypi.engines.interface import Engine
from toppypi.engines.options import OPTIONS, EngineOptions
from toppypi.errors import UsageError
from toppypi.model.redact import redact

# name -> "module:factory"; a factory takes (spec, options, on_estimate=...) and returns an Engine.
_FACTORIES: dict[str, str] = {
    "duckdb": "toppypi.engines.duckdb.engine:open_engine",
    "clickhouse": "toppypi.engines.clickhouse.engine:open_engine",
    "bigquery": "toppypi.engines.bigquery.engine:open_engine",
}

SOURCES_HELP = (
    "duckdb (default), clickhouse, clickhouse+http(s)://HOST:PORT/?user=U, bigquery[:PROJECT]"
)

OnEstimate = Callable[[Any], None]


def engine_name(source: str) -> str:
    """The engine a ``--source`` string names."""
    s = source.strip()
    for name in _FACTORIES:
        if s == name or s.startswith(f"{name}:") or s.startswith(f"{name}+"):
            return name
    raise UsageError(f"unknown source {redact(source)!r}; use one of: {SOURCES_HELP}")


def engine_names() -> list[str]:
    return list(_FACTORIES)


def describe(source: str) -> Capabilities:
    """What the engine a ``--source`` names can do, and what it is called; nothing is opened."""
    return CATALOG[engine_name(source)]


def display_name(engine: str) -> str:
    """``DuckDB``, ``ClickHouse``, ``BigQuery`` for an engine name (the name itself if unknown)."""
    caps = CATALOG.get(engine)
    return caps.display_name if caps is not None else engine


def open_engine(
    source: str = "duckdb",
    options: EngineOptions | None = None,
    *,
    on_estimate: OnEstimate | None = None,
) -> Engine:
    """Open the engine a ``--source`` names, with that engine's options.

    Options of another engine are a usage error naming the engine they belong
    to. ``on_estimate`` is told each approved estimate before a billed job
    starts (engines that bill); the others never call it.
    """
    name = engine_name(source)
    if options is not None and options.engine != name:
        given = ", ".join(options.given()) or type(options).__name__
        raise UsageError(
            f"{given} {'is an option' if ',' not in given else 'are options'} of the "
            f"{options.engine} engine, not of {name} (--source {redact(source.strip())})"
        )
    module, _, attr = _FACTORIES[name].partition(":")
    try:
        factory = getattr(importlib.import_module(module), attr)
    except ImportError as exc:
        extra = CATALOG[name].extra or name
        raise UsageError(
            f"the {name} engine is not available ({exc}); install toppypi[{extra}]"
        ) from None
    engine: Engine = factory(source.strip(), options or OPTIONS[name](), on_estimate=on_estimate)
    return engine
