"""The embedded DuckDB engine and its local store.

Its names are imported on first use: the engine catalog reads this package's
capabilities without importing the engine.
"""

from toppypi.engines.lazy import exports

__all__ = ["DuckDBEngine", "open_engine"]
__getattr__ = exports(__name__, "engine", __all__)
