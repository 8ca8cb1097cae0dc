"""ClickHouse's HTTP interface over httpx, with bounded retries (tenacity).

Requests carry the SQL alone: no settings, so a ``readonly=1`` user (which may
not change any) is served, and tables are named with their database. Time-outs,
connection errors and 5xx replies are retried with exponential
back-off, at most ``Endpoint.attempts`` times. A 4xx is not retried: its
message's first line is shown. A body that does not parse whole is an error,
never a short list: callers validate what they read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from toppypi.engines.clickhouse.source import Endpoint
from toppypi.errors import EngineError

if TYPE_CHECKING:
    import httpx

MAX_MESSAGE = 300


class _Transient(Exception):
    """A 5xx reply: worth another try."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def first_line(text: str) -> str:
    """The first non-empty line of a server message, bounded in length."""
    for line in text.strip().splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."
    return "(empty reply)"


class ClickHouseClient:
    """One endpoint; a lazily opened connection pool."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            import httpx

            ep = self.endpoint
            self._http = httpx.Client(
                base_url=ep.url,
                auth=httpx.BasicAuth(ep.user, ep.password),
                timeout=httpx.Timeout(ep.timeout, connect=min(ep.timeout, 10.0)),
                headers={"User-Agent": "toppypi"},
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # requests -----------------------------------------------------------

    def query_json(self, sql_text: str) -> dict[str, Any]:
        """Run ``sql_text`` (ending in ``FORMAT JSON``); the parsed, checked body."""
        body = self._retrying(lambda: self._post(sql_text))
        try:
            obj = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise EngineError(
                self._malformed(body, "the JSON reply is truncated or malformed")
            ) from None
        if (
            not isinstance(obj, dict)
            or not isinstance(obj.get("data"), list)
            or not isinstance(obj.get("meta"), list)
            or obj.get("rows") != len(obj["data"])
        ):
            raise EngineError(self._malformed(body, "the JSON reply is incomplete"))
        return obj

    def query_text(self, sql_text: str) -> str:
        """Run a small ``FORMAT TabSeparated`` query; the whole body."""
        body: bytes = self._retrying(lambda: self._post(sql_text))
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise EngineError(self._malformed(body, "the reply is not UTF-8")) from None

    @contextmanager
    def stream_lines(self, sql_text: str) -> Iterator[Iterator[bytes]]:
        """Lines of a streamed reply; retries only until the reply starts."""

        def start() -> httpx.Response:
            req = self.http.build_request("POST", "/", content=sql_text)
            resp = self.http.send(req, stream=True)
            if resp.status_code != 200:
                try:
                    resp.read()
                finally:
                    resp.close()
                self._raise_for(resp.status_code, resp.content)
            return resp

        resp: httpx.Response = self._retrying(start)
        try:
            yield self._lines(resp)
        finally:
            resp.close()

    def _lines(self, resp: httpx.Response) -> Iterator[bytes]:
        import httpx

        try:
            pending = b""
            for chunk in resp.iter_bytes(1 << 16):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                yield from lines
            if pending:
                yield pending
        except httpx.HTTPError as exc:
            raise EngineError(
                f"ClickHouse at {self.endpoint.label}: the reply broke off ({_reason(exc)})"
            ) from None

    # internals ----------------------------------------------------------

    def _post(self, sql_text: str) -> bytes:
        resp = self.http.post("/", content=sql_text)
        if resp.status_code != 200:
            self._raise_for(resp.status_code, resp.content)
        return resp.content

    def _raise_for(self, status: int, body: bytes) -> None:
        message = first_line(body.decode("utf-8", "replace"))
        if status >= 500:
            raise _Transient(status, message)
        raise EngineError(f"ClickHouse at {self.endpoint.label} refused the query: {message}")

    def _malformed(self, body: bytes, what: str) -> str:
        text = body.decode("utf-8", "replace")
        marker = text.rfind("Code: ")
        detail = f": {first_line(text[marker:])}" if marker >= 0 else ""
        return f"ClickHouse at {self.endpoint.label}: {what} ({len(body):,} bytes){detail}"

    def _retrying(self, call: Any) -> Any:
        import httpx
        import tenacity

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.endpoint.attempts),
            wait=tenacity.wait_exponential(multiplier=0.25, max=4.0),
            retry=tenacity.retry_if_exception_type((httpx.TransportError, _Transient)),
            reraise=True,
        )
        try:
            return retrying(call)
        except _Transient as exc:
            raise EngineError(
                f"ClickHouse at {self.endpoint.label} failed with HTTP {exc.status} "
                f"after {self.endpoint.attempts} attempt(s): {exc}"
            ) from None
        except httpx.TransportError as exc:
            raise EngineError(
                f"cannot reach ClickHouse at {self.endpoint.label} after "
                f"{self.endpoint.attempts} attempt(s): {_reason(exc)}; check the address "
                "and this machine's network (or proxy), then run again"
            ) from None


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    text = first_line(str(exc)) if str(exc).strip() else ""
    return f"{name}: {text}" if text else name
