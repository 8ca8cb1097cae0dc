"""The ClickHouse engine: ClickPy's PyPI tables, public or self-hosted, over HTTP.

Its names are imported on first use: the engine catalog reads this package's
capabilities without importing the engine.
"""

from toppypi.engines.lazy import exports

__all__ = ["ClickHouseEngine", "Endpoint", "open_engine"]
__getattr__ = exports(__name__, "engine", __all__)
