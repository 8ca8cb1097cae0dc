"""Published dump formats: the contract with consumers.

Writers reproduce the anchor's files byte for byte; readers accept every era.
"""

from __future__ import annotations

from enum import StrEnum


class DumpFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MIN_JSON = "min.json"
    CSV = "csv"
    PARQUET = "parquet"
    CSV_GZ = "csv.gz"


class JsonLayout(StrEnum):
    CLICKHOUSE = "clickhouse"
    PYPINFO = "pypinfo"


BASENAME = "top-pypi-packages"
ALIAS_BASENAME = "top-pypi-packages-30-days"
ALL_BASENAME = "top-pypi-packages-all"
