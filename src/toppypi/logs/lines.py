"""Access-log lines: the nginx / Apache "combined" and "common" formats.

One definition, written twice on purpose: :func:`parse_line` in Python (for
detection, for locating bad lines, and as the reference) and :func:`parse_sql`
for DuckDB, which parses millions of lines a second with plain string
functions instead of a regex. Tests hold the two to the same answers.

A line is split at its double quotes. nginx escapes a ``"`` inside a value as
``\\x22``; Apache writes ``\\"``, which is rewritten to ``\\x22`` first::

    host ident user [10/Oct/2026:13:55:36 +0000] "GET /path HTTP/1.1" 200 2326 "referer" "agent"
    parts[0] ..................................  [1] ...................  [2] ...  [3] ....  [5]

Apache's ``vhost_combined`` (a leading ``vhost:port``) and formats with extra
fields after the User-Agent parse the same way. ``common`` has no agent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

FORMATS = ("combined", "common")

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Strict, so that Python and DuckDB agree on every accepted timestamp.
TIME_RE = (
    r"(0[1-9]|[12][0-9]|3[01])/(" + "|".join(_MONTHS) + r")/(19[89][0-9]|20[0-9][0-9])"
    r":([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]) ([+-])(0[0-9]|1[0-4])([0-5][0-9])"
)
TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"
_TIME = re.compile(TIME_RE + r"\Z")
_STATUS = re.compile(r"[0-9]{3}\Z")
MAX_LINE = 65536  # characters; longer lines are not log lines


@dataclass(frozen=True)
class Line:
    """The fields of one parsed log line that a download needs."""

    host: str
    time: dt.datetime
    method: str
    target: str | None
    status: int
    agent: str | None  # as logged (still escaped); None in the common format


def parse_time(text: str) -> dt.datetime | None:
    m = _TIME.match(text)
    if m is None:
        return None
    day, mon, year, hh, mm, ss, sign, oh, om = m.groups()
    offset = dt.timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
    try:
        local = dt.datetime(int(year), _MONTHS.index(mon) + 1, int(day), int(hh), int(mm), int(ss))
    except ValueError:  # 31 February
        return None
    return (local - offset).replace(tzinfo=dt.UTC)


def clean(line: str) -> str:
    """What both parsers see: one trailing CR dropped, Apache's ``\\"`` as ``\\x22``."""
    if line.endswith("\r"):
        line = line[:-1]
    return line.replace('\\"', "\\x22")


def parse_line(raw: str, fmt: str = "combined") -> Line | None:
    """The line's fields, or None when it is not a line of this format.

    Never raises. ``fmt`` is ``combined`` (the agent is required) or
    ``common`` (anything after the status and size is ignored).
    """
    if len(raw) > MAX_LINE or "\x01" in raw or "\r" in raw[:-1]:
        return None  # DuckDB's line reader would split or cut such a line
    parts = clean(raw).split('"')
    if len(parts) < 3:
        return None
    pre = parts[0]
    lb = pre.find("[")
    if lb < 0 or not pre.endswith("] ") or lb > len(pre) - 2:
        return None
    head = pre[:lb].split(" ")
    if len(head) < 4 or head[-1] != "":
        return None
    when = parse_time(pre[lb + 1 : -2])
    mid = parts[2].split(" ")
    if when is None or len(mid) < 3 or mid[0] != "" or not _STATUS.match(mid[1]):
        return None
    request = parts[1].split(" ")
    agent = parts[5] if len(parts) >= 7 and parts[4] == " " else None
    if fmt == "common":
        agent = None
    elif agent is None:
        return None
    target = request[1] if len(request) >= 2 else None
    return Line(head[-4], when, request[0], target, int(mid[1]), agent)


def detect_format(lines: list[str]) -> str | None:
    """``combined`` if most parseable sample lines carry an agent, ``common`` if
    they parse only without one, None if none of them is an access-log line."""
    combined = sum(parse_line(x, "combined") is not None for x in lines)
    common = sum(parse_line(x, "common") is not None for x in lines)
    if common == 0:
        return None
    return "combined" if combined * 2 >= common else "common"


def parse_sql(
    source: str,
    fmt: str,
    *,
    escapes: bool = True,
    sanitized: bool = False,
    keep: tuple[str, ...] = (),
) -> str:
    """DuckDB SQL over ``source`` (a relation with a VARCHAR ``line``) that gives
    ``ok`` and the :class:`Line` fields, with the same rules as :func:`parse_line`.

    ``time`` is a TIMESTAMPTZ; ``status`` an INTEGER. The caller may promise
    that no line holds Apache's ``\\"`` (``escapes=False``), or a CR or
    ``\\x01`` (``sanitized=True``, see :func:`toppypi.logs.parse.sanitize`):
    those steps scan or copy every line, and skipping them changes no answer.
    ``keep`` names columns of ``source`` passed through to the result, first.
    """
    k = "".join(f"{c}, " for c in keep)
    agent = (
        "NULL::VARCHAR"
        if fmt == "common"
        else "CASE WHEN len(parts) >= 7 AND parts[5] = ' ' THEN parts[6] END"
    )
    need_agent = "" if fmt == "common" else " AND agent IS NOT NULL"
    body = "CASE WHEN suffix(line, chr(13)) THEN line[:-2] ELSE line END"
    odd = " AND NOT contains(raw, chr(1)) AND NOT contains(body, chr(13))"
    if sanitized:
        body, odd = "line", ""
    split = "replace(body, '\\\"', '\\x22')" if escapes else "body"
    return f"""
WITH bodies AS (
    SELECT {k}line AS raw, {body} AS body FROM {source}
), cleaned AS (
    SELECT {k}raw, body, string_split({split}, '"') AS parts FROM bodies
), fields AS (
    SELECT {k}raw, body, parts, parts[1] AS pre, strpos(parts[1], '[') AS lb,
        string_split(parts[3], ' ') AS mid, string_split(parts[2], ' ') AS request,
        {agent} AS agent
    FROM cleaned
), checked AS (
    SELECT *, string_split(pre[:lb - 1], ' ') AS head,
        substring(pre, lb + 1, length(pre) - lb - 2) AS time_text
    FROM fields
), timed AS (
    SELECT *, try_strptime(time_text, '{TIME_FORMAT}') AS time FROM checked
)
SELECT {k}raw,
    coalesce(len(parts) >= 3 AND lb > 0 AND suffix(pre, '] ') AND lb <= length(pre) - 1
        AND len(head) >= 4 AND head[-1] = ''
        AND regexp_full_match(time_text, '{TIME_RE}') AND time IS NOT NULL
        AND len(mid) >= 3 AND mid[1] = '' AND regexp_full_match(mid[2], '[0-9]{{3}}')
        AND length(raw) <= {MAX_LINE}{odd}{need_agent},
        false) AS ok,
    head[-4] AS host,
    time,
    request[1] AS method,
    request[2] AS target,
    TRY_CAST(mid[2] AS INTEGER) AS status,
    agent
FROM timed
"""  # noqa: S608 - our own SQL over our own relation
