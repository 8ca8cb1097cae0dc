"""Secrets never reach a message: URL user info, passwords and tokens are masked.

Every error, ``-v`` line and provenance record that may hold a URL or a
command line passes through :func:`redact`, so a password given in the wrong
place (``clickhouse://u:PW@host``, a remote ``https://TOKEN@github.com/...``)
is never printed or archived.
"""

from __future__ import annotations

import re

MASK = "***"

# scheme://user[:password]@host  ->  scheme://***@host
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<info>[^/\s@]+)@")
# ?password=...  &token=...  access_token=...
_PARAM = re.compile(
    r"(?P<key>[?&;](?:password|passwd|pwd|token|access_token|secret|key|api_key)=)[^&\s#]*",
    re.IGNORECASE,
)
# Well-known token shapes that may stand alone in git's or a server's words.
_TOKENS = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9\-_]{20,})\b"
)


def redact(text: str) -> str:
    """``text`` with URL user info, secret query parameters and known tokens masked."""
    text = _USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
    text = _PARAM.sub(lambda m: f"{m.group('key')}{MASK}", text)
    return _TOKENS.sub(MASK, text)
