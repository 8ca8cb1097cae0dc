"""Bytes billed per calendar month (UTC), kept in the user data directory.

The guard reads it to know what is left of the month's budget, and every real
job adds to it. It is a small JSON file, rewritten whole and atomically under a
file lock, so that two runs at once add up rather than overwrite each other.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from toppypi.atomic import atomic_write
from toppypi.errors import InputError

LEDGER_ENV = "TOPPYPI_BIGQUERY_LEDGER"
FILENAME = "bigquery-ledger.json"


def default_path() -> Path:
    """``$TOPPYPI_BIGQUERY_LEDGER``, else ``bigquery-ledger.json`` in the user data directory."""
    env = os.environ.get(LEDGER_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("toppypi")) / FILENAME


def month_of(when: dt.datetime | None = None) -> str:
    return (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m")


@dataclass
class MonthUsage:
    month: str
    queries: int = 0
    bytes_billed: int = 0
    bytes_processed: int = 0
    cached: int = 0


class Ledger:
    """Read and add to the month-by-month usage file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def _read(self) -> dict[str, MonthUsage]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise InputError(
                f"cannot read the BigQuery ledger {self.path}: {exc.strerror}"
            ) from None
        try:
            months: dict[str, Any] = json.loads(text)["months"]
            return {m: MonthUsage(month=m, **v) for m, v in months.items()}
        except (ValueError, KeyError, TypeError):
            raise InputError(
                f"the BigQuery ledger {self.path} is damaged; fix or remove it "
                f"(it only records usage; set ${LEDGER_ENV} to use another file)"
            ) from None

    def months(self) -> list[MonthUsage]:
        """Every month recorded, oldest first."""
        return [u for _, u in sorted(self._read().items())]

    def usage(self, month: str) -> MonthUsage:
        return self._read().get(month, MonthUsage(month))

    def spent(self, month: str) -> int:
        return self.usage(month).bytes_billed

    def record(
        self, bytes_billed: int, bytes_processed: int, *, cached: bool, month: str
    ) -> MonthUsage:
        """Add one job's bytes to ``month``; locked, so concurrent runs add up."""
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(f"{self.path}.lock", timeout=60):
            data = self._read()
            u = data.setdefault(month, MonthUsage(month))
            u.queries += 1
            u.bytes_billed += bytes_billed
            u.bytes_processed += bytes_processed
            u.cached += int(cached)
            body = {
                "months": {
                    m: {k: v for k, v in asdict(x).items() if k != "month"}
                    for m, x in sorted(data.items())
                }
            }
            atomic_write(self.path, (json.dumps(body, indent=2) + "\n").encode())
        return u
