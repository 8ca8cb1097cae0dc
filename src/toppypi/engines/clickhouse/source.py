"""Where a ClickHouse engine connects: the public endpoint, or any server by URL.

``--source clickhouse`` is ClickHouse's free public PyPI database (user ``demo``,
no password). ``clickhouse+http://HOST:PORT/?user=U`` (or ``+https``) reaches any
server holding the ClickPy tables. A password only ever comes from
``$TOPPYPI_CLICKHOUSE_PASSWORD``: never from the URL, and it is never printed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlsplit

from toppypi.engines.options import ClickHouseOptions
from toppypi.errors import UsageError
from toppypi.model.redact import redact

PASSWORD_ENV = "TOPPYPI_CLICKHOUSE_PASSWORD"
PUBLIC_URL = "https://sql-clickhouse.clickhouse.com"
PUBLIC_USER = "demo"
DEFAULT_DATABASE = "pypi"
DEFAULT_TIMEOUT = 60.0
DEFAULT_ATTEMPTS = 4
URL_FORM = "clickhouse+http(s)://HOST:PORT/?user=U[&database=D][&timeout=SECONDS][&attempts=N]"

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_USER_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(frozen=True)
class Endpoint:
    """An HTTP(S) ClickHouse endpoint; ``repr`` never shows the password."""

    url: str
    user: str = PUBLIC_USER
    database: str = DEFAULT_DATABASE
    timeout: float = DEFAULT_TIMEOUT
    attempts: int = DEFAULT_ATTEMPTS
    password: str = field(default="", repr=False)

    @property
    def label(self) -> str:
        """What errors and ``-v`` show: the URL and user, no secret."""
        return f"{self.url} (user {self.user})"


def parse_source(spec: str, options: ClickHouseOptions | None = None) -> Endpoint:
    """``clickhouse`` or ``clickhouse+http(s)://HOST:PORT/?user=U``; ``options`` win."""
    s = spec.strip()
    if s == "clickhouse":
        ep = Endpoint(PUBLIC_URL)
    elif s.startswith(("clickhouse+http://", "clickhouse+https://")):
        ep = _parse_url(s.removeprefix("clickhouse+"))
    else:
        raise UsageError(
            f"cannot read ClickHouse source {redact(s)!r}; use clickhouse or {URL_FORM}"
        )
    opts = options or ClickHouseOptions()
    return replace(
        ep,
        timeout=ep.timeout if opts.timeout is None else opts.timeout,
        attempts=ep.attempts if opts.attempts is None else opts.attempts,
    )


def _parse_url(url: str) -> Endpoint:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UsageError(
            f"cannot read ClickHouse URL: {redact(str(exc))}; use {URL_FORM}"
        ) from None
    if parts.password is not None or parts.username is not None:
        raise UsageError(
            f"put the user in ?user=U and the password in ${PASSWORD_ENV}, not in the URL"
        )
    host = parts.hostname
    if not host:
        raise UsageError(f"the ClickHouse URL has no host; use {URL_FORM}")
    if parts.path not in ("", "/"):
        raise UsageError(f"the ClickHouse URL takes no path ({parts.path!r}); use {URL_FORM}")
    known = {"user", "database", "timeout", "attempts"}
    params: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "password":
            raise UsageError(f"put the ClickHouse password in ${PASSWORD_ENV}, not in the URL")
        if key not in known:
            raise UsageError(f"unknown ClickHouse URL parameter {key!r}; use {URL_FORM}")
        params[key] = value
    user = params.get("user", "default")
    if not _USER_RE.match(user):
        raise UsageError(f"{user!r} is not a valid ClickHouse user name")
    database = params.get("database", DEFAULT_DATABASE)
    if not _NAME_RE.match(database):
        raise UsageError(f"{database!r} is not a valid ClickHouse database name")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return Endpoint(
        url=f"{parts.scheme}://{netloc}",
        user=user,
        database=database,
        timeout=_positive_float(params["timeout"], "timeout")
        if "timeout" in params
        else DEFAULT_TIMEOUT,
        attempts=_attempts(params["attempts"]) if "attempts" in params else DEFAULT_ATTEMPTS,
        password=os.environ.get(PASSWORD_ENV, ""),
    )


def _positive_float(value: str, name: str) -> float:
    try:
        out = float(value)
    except ValueError:
        out = -1.0
    if not 0 < out <= 3600:
        raise UsageError(f"ClickHouse {name} must be a number of seconds in (0, 3600]")
    return out


def _attempts(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 10:
        raise UsageError("ClickHouse attempts must be a whole number from 1 to 10")
    return int(value)
