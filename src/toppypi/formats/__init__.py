"""Published dump formats: the contract with consumers.

This package owns every byte encoder and decoder of the published files:
the anchor's JSON (indented and compact, both eras), its CSV, Parquet, and
the streamed full list. Writers reproduce the anchor's files byte for byte;
readers accept every era and refuse a broken dump in one line.
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
YEAR_BASENAME = "top-pypi-packages-365-days"
ALL_BASENAME = "top-pypi-packages-all"
TEXT_FORMATS = (DumpFormat.JSON, DumpFormat.MIN_JSON, DumpFormat.CSV)
FILE_FORMATS = (
    DumpFormat.JSON,
    DumpFormat.MIN_JSON,
    DumpFormat.CSV,
    DumpFormat.CSV_GZ,
    DumpFormat.PARQUET,
)


def dump_name(fmt: DumpFormat, base: str = BASENAME) -> str:
    return f"{base}.{fmt.value}"


def format_from_name(name: str) -> DumpFormat | None:
    """``x.min.json`` is min.json, ``x.csv.gz`` csv.gz: the longest suffix wins."""
    for fmt in sorted(FILE_FORMATS, key=lambda f: len(f.value), reverse=True):
        if name.endswith(f".{fmt.value}"):
            return fmt
    return None
