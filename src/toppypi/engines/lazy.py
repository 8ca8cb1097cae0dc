"""Package names imported on first use (PEP 562), so that a package stays cheap to import.

The engine catalog reads each engine package's capabilities; the packages
re-export their engine without importing it until it is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(package: str, module: str, names: list[str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that finds ``names`` in ``package.module`` when first used."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(f"{package}.{module}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
