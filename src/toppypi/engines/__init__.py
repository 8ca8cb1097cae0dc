"""Engines: one package each, behind :mod:`toppypi.engines.interface`."""

from toppypi.engines.capabilities import Capabilities
from toppypi.engines.interface import Engine, EngineWrapper, Estimate
from toppypi.engines.options import BigQueryOptions, ClickHouseOptions, DuckDBOptions, EngineOptions
from toppypi.engines.registry import describe, open_engine

__all__ = [
    "BigQueryOptions",
    "Capabilities",
    "ClickHouseOptions",
    "DuckDBOptions",
    "Engine",
    "EngineOptions",
    "EngineWrapper",
    "Estimate",
    "describe",
    "open_engine",
]
