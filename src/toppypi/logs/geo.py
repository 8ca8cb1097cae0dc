"""Country codes from a MaxMind (GeoIP2 / GeoLite2 / DB-IP) database, when one is given.

Without one the country is missing, as it is for PyPI's own rows that Fastly
could not place: toppypi never guesses a country.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toppypi.errors import InputError, UsageError


class GeoIP:
    """IP address to ISO country code, each distinct address looked up once."""

    def __init__(self, path: Path) -> None:
        try:
            import maxminddb
        except ImportError:
            raise UsageError(
                "--geoip needs the maxminddb package: pip install 'toppypi[geoip]'"
            ) from None
        try:
            self._reader: Any = maxminddb.open_database(str(path))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            raise InputError(f"{path}: not a readable MaxMind database ({exc})") from None
        self._cache: dict[str, str | None] = {}

    def close(self) -> None:
        self._reader.close()

    def __call__(self, host: str) -> str | None:
        if host in self._cache:
            return self._cache[host]
        code = self._lookup(host)
        self._cache[host] = code
        return code

    def _lookup(self, host: str) -> str | None:
        try:
            rec = self._reader.get(host)
        except (ValueError, TypeError):  # a host name, not an address
            return None
        if not isinstance(rec, dict):
            return None
        for key in ("country", "registered_country"):
            part = rec.get(key)
            if isinstance(part, dict) and isinstance(part.get("iso_code"), str):
                return str(part["iso_code"])
        return None
