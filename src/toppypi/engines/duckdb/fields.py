"""Field expressions over raw events in BigQuery's schema, with pypinfo's meanings.

The same meanings must hold on every engine: pyversion is ``major.minor``,
dates are ``YYYY-MM-DD`` strings, and a missing value is NULL (never ``''``).
"""

from __future__ import annotations

from toppypi.query import Field


def _major_minor(col: str) -> str:
    return f"NULLIF(regexp_extract({col}, '^([^.]+\\.[^.]+)', 1), '')"


RAW_FIELDS: dict[Field, str] = {
    Field.PROJECT: '"file".project',
    Field.VERSION: '"file".version',
    Field.FILE: '"file".filename',
    Field.PYVERSION: _major_minor("details.python"),
    Field.IMPL: "details.implementation.name",
    Field.IMPL_VERSION: _major_minor("details.implementation.version"),
    Field.OPENSSL: "NULLIF(regexp_extract(details.openssl_version, '^OpenSSL ([^ ]+) ', 1), '')",
    Field.DATE: "strftime(\"timestamp\", '%Y-%m-%d')",
    Field.MONTH: "strftime(\"timestamp\", '%Y-%m')",
    Field.YEAR: "strftime(\"timestamp\", '%Y')",
    Field.COUNTRY: "country_code",
    Field.INSTALLER: "details.installer.name",
    Field.INSTALLER_VERSION: "details.installer.version",
    Field.SETUPTOOLS_VERSION: "details.setuptools_version",
    Field.SYSTEM: "details.system.name",
    Field.SYSTEM_RELEASE: "details.system.release",
    Field.DISTRO: "details.distro.name",
    Field.DISTRO_VERSION: "details.distro.version",
    Field.CI: "details.ci",
    Field.CPU: "details.cpu",
    Field.LIBC: "details.distro.libc.lib",
    Field.LIBC_VERSION: "details.distro.libc.version",
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
