"""BigQuery holds the raw events, so it answers every field; it bills by bytes."""

from toppypi.engines.interface import Capabilities

CAPABILITIES = Capabilities(name="bigquery", can_estimate=True, free=False)
