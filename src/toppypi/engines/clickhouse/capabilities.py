"""The fields ClickPy's roll-up tables hold; anything else is refused before sending."""

from toppypi.engines.capabilities import Capabilities
from toppypi.engines.clickhouse.tables import TABLES
from toppypi.model.query import Field

CLICKPY_FIELDS = frozenset(
    {
        Field.PROJECT,
        Field.VERSION,
        Field.DATE,
        Field.MONTH,
        Field.YEAR,
        Field.COUNTRY,
        Field.PYVERSION,
        Field.INSTALLER,
        Field.SYSTEM,
    }
)

CAPABILITIES = Capabilities(
    name="clickhouse",
    display_name="ClickHouse",
    dimensions=CLICKPY_FIELDS,
    filters=CLICKPY_FIELDS,
    together=tuple(t.covers for t in TABLES),
    streams=True,
)
