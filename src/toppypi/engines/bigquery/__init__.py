"""The BigQuery engine: Google's public PyPI table, with a hard cost cap."""

from toppypi.engines.bigquery.engine import BigQueryEngine, open_engine

__all__ = ["BigQueryEngine", "open_engine"]
