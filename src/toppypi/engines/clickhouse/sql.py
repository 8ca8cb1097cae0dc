"""SQL literals for ClickHouse servers without query parameters.

Debian's clickhouse-server 18.16 predates ``{x:String}`` parameters (19.x), so
every user value reaches SQL through these functions only: strings escaped
for ClickHouse's quoted-literal grammar, dates and integers validated and
rendered from typed Python values, identifiers checked against a whitelist
pattern. Nothing else interpolates text into SQL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from toppypi.errors import QueryError

_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_MAX_STRING = 4096


def string(value: str) -> str:
    """A single-quoted ClickHouse string literal that reads back as ``value``.

    Backslash and quote are escaped; every other control character becomes a
    ``\\xHH`` escape, so comments, semicolons and ``UNION`` stay inside the quotes.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    if len(value) > _MAX_STRING:
        # A user's value (a --where value): a one-line error, not a traceback.
        raise QueryError(
            f"a value of {len(value):,} characters is too long for a ClickHouse query "
            f"(at most {_MAX_STRING:,})"
        )
    out = ["'"]
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\x{ord(ch):02X}")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def strings(values: Iterable[str]) -> str:
    """A parenthesised list of string literals for ``IN``."""
    items = [string(v) for v in values]
    if not items:
        raise ValueError("an IN list needs at least one value")
    return "(" + ", ".join(items) + ")"


def date(value: dt.date) -> str:
    """A ``Date`` literal from a real date (never a datetime or text)."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return f"'{value.isoformat()}'"


def integer(value: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an int, got {type(value).__name__}")
    return str(value)


def ident(name: str) -> str:
    """A table or column name from our own constants, checked all the same."""
    if not _IDENT_RE.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name
