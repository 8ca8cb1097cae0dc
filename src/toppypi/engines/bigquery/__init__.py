"""The BigQuery engine: Google's public PyPI table, with a hard cost cap.

Its names are imported on first use: the engine catalog reads this package's
capabilities without importing the engine.
"""

from toppypi.engines.lazy import exports

__all__ = ["BigQueryEngine", "open_engine"]
__getattr__ = exports(__name__, "engine", __all__)
