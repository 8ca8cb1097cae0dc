"""Field expressions over raw events in BigQuery's schema, with pypinfo's meanings.

The same meanings must hold on every engine: pyversion and impl-version are
``major.minor``, openssl is the bare version, dates are ``YYYY-MM-DD`` strings
(months ``YYYY-MM``, years ``YYYY``), ci is a boolean, versions are strings,
and a missing value is NULL (never ``''``: an empty string is read as missing).
"""

from __future__ import annotations

from toppypi.model.query import Field


def _major_minor(col: str) -> str:
    return f"NULLIF(regexp_extract({col}, '^([^.]+\\.[^.]+)', 1), '')"


def _text(col: str) -> str:
    """A string column with BigQuery's empty strings read as missing (NULL)."""
    return f"NULLIF({col}, '')"


RAW_FIELDS: dict[Field, str] = {
    # Never empty in the data; left bare so that project filters reach the Parquet reader.
    Field.PROJECT: '"file".project',
    Field.VERSION: _text('"file".version'),
    Field.FILE: _text('"file".filename'),
    Field.PYVERSION: _major_minor("details.python"),
    Field.IMPL: _text("details.implementation.name"),
    Field.IMPL_VERSION: _major_minor("details.implementation.version"),
    Field.OPENSSL: "NULLIF(regexp_extract(details.openssl_version, '^OpenSSL ([^ ]+) ', 1), '')",
    Field.DATE: "strftime(\"timestamp\", '%Y-%m-%d')",
    Field.MONTH: "strftime(\"timestamp\", '%Y-%m')",
    Field.YEAR: "strftime(\"timestamp\", '%Y')",
    Field.COUNTRY: _text("country_code"),
    Field.INSTALLER: _text("details.installer.name"),
    Field.INSTALLER_VERSION: _text("details.installer.version"),
    Field.SETUPTOOLS_VERSION: _text("details.setuptools_version"),
    Field.SYSTEM: _text("details.system.name"),
    Field.SYSTEM_RELEASE: _text("details.system.release"),
    Field.DISTRO: _text("details.distro.name"),
    Field.DISTRO_VERSION: _text("details.distro.version"),
    # A boolean: True, False or NULL (BigQuery's rows mostly hold True or NULL).
    Field.CI: "details.ci",
    Field.CPU: _text("details.cpu"),
    Field.LIBC: _text("details.distro.libc.lib"),
    Field.LIBC_VERSION: _text("details.distro.libc.version"),
}

# The Python major version, for percent3 / percent2.
RAW_PY_MAJOR = "NULLIF(regexp_extract(details.python, '^([^.]+)', 1), '')"

# Columns every event file must have, with the DuckDB type family they need.
REQUIRED_COLUMNS: dict[str, str] = {
    "timestamp": "TIMESTAMP",
    "file": "STRUCT",
    "details": "STRUCT",
    "country_code": "VARCHAR",
}
