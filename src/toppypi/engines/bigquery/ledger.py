"""Bytes billed per calendar month (UTC), kept in the user data directory.

The guard reads it to know what is left of the month's budget, and every real
job adds to it. It is a small JSON file, rewritten whole and atomically under a
file lock, so that two runs at once add up rather than overwrite each other.
An approved job holds a reservation of its estimate (``pending``, with its
process id) until its bytes are recorded, so that two runs at once are not
both approved against the same remaining budget; a dead process's reservation
is ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toppypi.atomic import atomic_write
from toppypi.errors import InputError

if TYPE_CHECKING:
    from toppypi.engines.bigquery.guard import Approval

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

    def _load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"months": {}}
        except OSError as exc:
            raise InputError(
                f"cannot read the BigQuery ledger {self.path}: {exc.strerror}"
            ) from None
        try:
            obj = json.loads(text)
            if not isinstance(obj, dict) or not isinstance(obj["months"], dict):
                raise TypeError
            return obj
        except (ValueError, KeyError, TypeError):
            raise self._damaged() from None

    def _damaged(self) -> InputError:
        return InputError(
            f"the BigQuery ledger {self.path} is damaged; fix or remove it "
            f"(it only records usage; set ${LEDGER_ENV} to use another file)"
        )

    def _read(self) -> dict[str, MonthUsage]:
        return self._months(self._load())

    def _months(self, obj: dict[str, Any]) -> dict[str, MonthUsage]:
        try:
            return {m: MonthUsage(month=m, **v) for m, v in obj["months"].items()}
        except (ValueError, KeyError, TypeError):
            raise self._damaged() from None

    @staticmethod
    def _pending(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Reservations of jobs still running, in processes still alive."""
        pending = obj.get("pending")
        if not isinstance(pending, dict):
            return {}
        return {
            k: v
            for k, v in pending.items()
            if isinstance(v, dict) and isinstance(v.get("pid"), int) and _alive(v["pid"])
        }

    def _write(self, data: dict[str, MonthUsage], pending: dict[str, dict[str, Any]]) -> None:
        body: dict[str, Any] = {
            "months": {
                m: {k: v for k, v in asdict(x).items() if k != "month"}
                for m, x in sorted(data.items())
            }
        }
        if pending:
            body["pending"] = pending
        atomic_write(self.path, (json.dumps(body, indent=2) + "\n").encode())

    def _lock(self) -> Any:
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(f"{self.path}.lock", timeout=60)

    def months(self) -> list[MonthUsage]:
        """Every month recorded, oldest first."""
        return [u for _, u in sorted(self._read().items())]

    def usage(self, month: str) -> MonthUsage:
        return self._read().get(month, MonthUsage(month))

    def spent(self, month: str) -> int:
        """Billed this month, plus what approved jobs still running may bill."""
        obj = self._load()
        usage = self._months(obj).get(month, MonthUsage(month))
        held = sum(
            int(v.get("bytes", 0)) for v in self._pending(obj).values() if v.get("month") == month
        )
        return usage.bytes_billed + held

    def approve_and_reserve(
        self, month: str, decide: Callable[[int], Approval]
    ) -> tuple[Approval, str]:
        """``decide(spent)`` and hold its bytes, under the lock: two runs at once
        cannot both be approved against the same remaining budget."""
        with self._lock():
            ok = decide(self.spent(month))
            return ok, self._reserve_locked(ok.billed, month, os.getpid())

    def reserve(self, nbytes: int, *, month: str, pid: int | None = None) -> str:
        """Hold ``nbytes`` of ``month`` for a job about to run; released when recorded."""
        with self._lock():
            return self._reserve_locked(nbytes, month, os.getpid() if pid is None else pid)

    def _reserve_locked(self, nbytes: int, month: str, pid: int) -> str:
        obj = self._load()
        pending = self._pending(obj)
        token = uuid.uuid4().hex
        pending[token] = {"month": month, "bytes": nbytes, "pid": pid}
        self._write(self._months(obj), pending)
        return token

    def release(self, token: str) -> None:
        """Drop a reservation whose job never ran (refused, failed)."""
        with self._lock():
            obj = self._load()
            pending = self._pending(obj)
            if pending.pop(token, None) is not None:
                self._write(self._months(obj), pending)

    def record(
        self,
        bytes_billed: int,
        bytes_processed: int,
        *,
        cached: bool,
        month: str,
        reservation: str | None = None,
    ) -> MonthUsage:
        """Add one job's bytes to ``month`` (ending its reservation); locked, so
        concurrent runs add up."""
        with self._lock():
            obj = self._load()
            data = self._months(obj)
            pending = self._pending(obj)
            if reservation is not None:
                pending.pop(reservation, None)
            u = data.setdefault(month, MonthUsage(month))
            u.queries += 1
            u.bytes_billed += bytes_billed
            u.bytes_processed += bytes_processed
            u.cached += int(cached)
            self._write(data, pending)
        return u


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
