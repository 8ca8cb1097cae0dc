"""The fields ClickPy's roll-up tables hold; anything else is refused before sending."""

from toppypi.engines.interface import Capabilities
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
    dimensions=CLICKPY_FIELDS,
    filters=CLICKPY_FIELDS,
    can_estimate=False,
    free=True,
)
