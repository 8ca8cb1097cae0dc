"""Engines: one package each, behind :mod:`toppypi.engines.interface`."""

from toppypi.engines.interface import Capabilities, Engine, Estimate
from toppypi.engines.registry import open_engine

__all__ = ["Capabilities", "Engine", "Estimate", "open_engine"]
