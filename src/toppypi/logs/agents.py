"""User-Agent strings to BigQuery's ``details`` struct, with PyPI's own parser.

PyPI fills ``details`` with linehaul's User-Agent parser; this calls the same
parser, so pip, uv, poetry, pdm, bandersnatch, devpi ... mean here what they
mean in PyPI's data. Like linehaul, an unknown agent is still a download
(with no details) and an ignored one (a known bot) is not a download at all.

Web servers escape what they log: nginx writes ``"`` as ``\\x22``, Apache as
``\\"``. The agent is unescaped before it is parsed, once per distinct string.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from toppypi.model.events import DETAILS, EventField

_ESCAPE = re.compile(rb"\\(x[0-9A-Fa-f]{2}|.)", re.DOTALL)


def unescape(logged: str) -> str:
    """The User-Agent as sent, from its nginx (``\\xHH``) or Apache (``\\"``) escaping."""
    if "\\" not in logged:
        return logged

    def sub(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        if code[:1] == b"x" and len(code) == 3:
            return bytes([int(code[1:], 16)])
        return {b"n": b"\n", b"t": b"\t", b"r": b"\r"}.get(code, code)

    raw = _ESCAPE.sub(sub, logged.encode("utf-8", "surrogateescape"))
    return raw.decode("utf-8", "replace")


@dataclass(frozen=True)
class Agent:
    """A parsed User-Agent: the ``details`` value, and whether linehaul ignores it."""

    details: dict[str, Any] | None
    ignored: bool = False


def _quiet_linehaul() -> None:
    # linehaul logs each parser's unexpected exception with a traceback; an
    # odd User-Agent in a log is data, not an error to print.
    log = logging.getLogger("linehaul")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())


def _pick(obj: Any, fields: tuple[EventField, ...]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for name, kind in fields:
        value = getattr(obj, name, None)
        if value is None:
            out[name] = None
        elif isinstance(kind, tuple):
            out[name] = _pick(value, kind)
        elif kind == "bool":
            out[name] = value if isinstance(value, bool) else None
        else:
            out[name] = value if isinstance(value, str) else str(value)
    return out if any(v is not None for v in out.values()) else None


class AgentParser:
    """linehaul's parser with a cache: each distinct logged string is parsed once."""

    def __init__(self) -> None:
        from linehaul.ua import parser

        _quiet_linehaul()
        self._parse = parser.parse
        self._cache: dict[str, Agent] = {}

    def __call__(self, logged: str | None) -> Agent:
        if logged is None or logged in ("", "-"):
            return Agent(None)
        hit = self._cache.get(logged)
        if hit is None:
            hit = self._cache[logged] = self._parse_one(unescape(logged))
        return hit

    def _parse_one(self, ua: str) -> Agent:
        try:
            parsed = self._parse(ua)
        except Exception:  # unknown agent, or linehaul choking on odd JSON
            return Agent(None)
        if parsed is None:
            return Agent(None, ignored=True)
        return Agent(_pick(parsed, DETAILS))
