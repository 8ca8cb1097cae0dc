"""The only module that talks to Google: credentials, dry runs, jobs.

``google-cloud-bigquery`` is imported here, lazily, and only when a query
really runs, so ``--test`` needs neither the package nor credentials. Errors
become one line that says what to do; a key's contents are never printed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toppypi.engines.bigquery.sql import STRING_ARRAY
from toppypi.engines.compiler import Statement
from toppypi.errors import EngineError, UsageError
from toppypi.model.result import Value

CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
SCOPES = ["https://www.googleapis.com/auth/bigquery"]
KEY_TYPES = ("service_account", "authorized_user")
HOW = (
    f"pass --credentials FILE (a service-account JSON key with BigQuery Job User) "
    f"or set {CREDENTIALS_ENV}"
)


@dataclass
class Job:
    """What a finished query job reports, as pypinfo published it."""

    rows: list[tuple[Value, ...]]
    bytes_processed: int
    bytes_billed: int
    cached: bool
    job_id: str | None = None


def _bigquery() -> Any:
    try:
        from google.cloud import bigquery
    except ImportError:
        raise UsageError(
            "the bigquery engine needs google-cloud-bigquery; install toppypi[bigquery]"
        ) from None
    return bigquery


def credentials_path(credentials: str | Path | None) -> tuple[Path, dict[str, Any]]:
    """``--credentials`` or ``$GOOGLE_APPLICATION_CREDENTIALS``, checked to be a JSON key."""
    raw = credentials or os.environ.get(CREDENTIALS_ENV)
    if not raw:
        raise UsageError(f"no BigQuery credentials: {HOW}")
    path = Path(raw).expanduser()
    if not path.is_file():
        raise UsageError(f"the credentials file {path} does not exist: {HOW}")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise UsageError(f"the credentials file {path} is not readable JSON: {HOW}") from None
    if not isinstance(info, dict) or not isinstance(info.get("type"), str):
        raise UsageError(f"{path} is not a Google credentials file (no 'type'): {HOW}")
    if info["type"] not in KEY_TYPES:
        raise UsageError(
            f"{path} holds {info['type']!r} credentials; use a service_account key "
            "or authorized_user credentials (gcloud auth application-default login)"
        )
    return path, info


def load_credentials(path: Path, info: dict[str, Any]) -> tuple[Any, str | None]:
    """The credentials object, built by the loader for its type, and the key's project."""
    _bigquery()
    from google.auth.exceptions import GoogleAuthError

    try:
        if info["type"] == "service_account":
            from google.oauth2 import service_account

            sa: Any = service_account.Credentials
            return sa.from_service_account_info(info, scopes=SCOPES), info.get("project_id")
        from google.oauth2 import credentials as user_credentials

        user: Any = user_credentials.Credentials
        return user.from_authorized_user_info(info, scopes=SCOPES), info.get("quota_project_id")
    except (GoogleAuthError, ValueError, KeyError) as exc:
        raise UsageError(
            f"{path} could not be loaded as Google credentials ({type(exc).__name__}); "
            f"download a new key: {HOW}"
        ) from None


def new_google_client(project: str, credentials: Any) -> Any:
    """The real ``bigquery.Client``; tests replace this function with a fake client."""
    return _bigquery().Client(project=project, credentials=credentials)


def connect(project: str | None, credentials: str | Path | None) -> BigQueryClient:
    path, info = credentials_path(credentials)
    creds, key_project = load_credentials(path, info)
    chosen = project or key_project
    if not chosen:
        raise UsageError(
            "no Google Cloud project to bill: use --source bigquery:PROJECT "
            f"(the key in {path} names none)"
        )
    return BigQueryClient(new_google_client(chosen, creds), credentials_file=path)


def _api_error(exc: Exception, credentials_file: Path | None) -> EngineError:
    from google.auth.exceptions import GoogleAuthError

    if isinstance(exc, GoogleAuthError):
        where = f" in {credentials_file}" if credentials_file else ""
        return EngineError(
            f"BigQuery refused the credentials{where} ({type(exc).__name__}); "
            "check that the key is current and its project has the BigQuery API enabled"
        )
    message = str(getattr(exc, "message", "") or exc).strip().splitlines()
    return EngineError(f"BigQuery: {message[0] if message else type(exc).__name__}")


class BigQueryClient:
    """Dry runs and capped jobs over a ``google.cloud.bigquery.Client`` (or a fake one)."""

    def __init__(self, google_client: Any, *, credentials_file: Path | None = None) -> None:
        self.google = google_client
        self.credentials_file = credentials_file

    def _config(self, st: Statement, **kwargs: Any) -> Any:
        bq = _bigquery()
        params = [
            bq.ArrayQueryParameter(p.name, "STRING", list(p.value))
            if p.type == STRING_ARRAY
            else bq.ScalarQueryParameter(p.name, "STRING", p.value)
            for p in st.params
        ]
        return bq.QueryJobConfig(query_parameters=params, use_legacy_sql=False, **kwargs)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from google.api_core.exceptions import GoogleAPIError
        from google.auth.exceptions import GoogleAuthError

        try:
            return fn(*args, **kwargs)
        except (GoogleAPIError, GoogleAuthError) as exc:
            raise _api_error(exc, self.credentials_file) from None

    def dry_run(self, st: Statement) -> int:
        """Bytes the query would process; BigQuery runs nothing and bills nothing."""
        config = self._config(st, dry_run=True, use_query_cache=False)
        job = self._call(self.google.query, st.sql, job_config=config)
        return int(job.total_bytes_processed or 0)

    def run(self, st: Statement, *, maximum_bytes_billed: int) -> Job:
        """Run with a hard cap: BigQuery fails the job rather than bill past it."""
        if maximum_bytes_billed <= 0:
            raise AssertionError("a real job always carries a positive maximum_bytes_billed")
        config = self._config(st, maximum_bytes_billed=maximum_bytes_billed)
        job = self._call(self.google.query, st.sql, job_config=config)
        rows = [tuple(r) for r in self._call(job.result)]
        return Job(
            rows=rows,
            bytes_processed=int(job.total_bytes_processed or 0),
            bytes_billed=int(job.total_bytes_billed or 0),
            cached=bool(job.cache_hit),
            job_id=getattr(job, "job_id", None),
        )

    def table_modified(self, table: str) -> dt.datetime | None:
        """When the table last changed: a metadata call, free of charge."""
        modified = self._call(self.google.get_table, table).modified
        return modified if isinstance(modified, dt.datetime) else None

    def close(self) -> None:
        close = getattr(self.google, "close", None)
        if callable(close):
            close()
