"""toppypi: a monthly, trustworthy ranking of PyPI packages by downloads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from toppypi.api import QueryResult
    from toppypi.api import query as run_query

__all__ = ["QueryResult", "__version__", "run_query"]

# Exported lazily so that ``import toppypi`` (and ``toppypi --help``) stays fast.
# ``toppypi.model.query`` is the domain-model module, hence the name ``run_query``.
_LAZY = {"run_query": ("toppypi.api", "query"), "QueryResult": ("toppypi.api", "QueryResult")}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'toppypi' has no attribute {name!r}")
