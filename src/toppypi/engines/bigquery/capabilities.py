"""BigQuery holds the raw events, so it answers every field; it bills by bytes."""

from toppypi.engines.capabilities import Capabilities

CAPABILITIES = Capabilities(
    name="bigquery", display_name="BigQuery", extra="bigquery", can_estimate=True, free=False
)
