"""The fast path: DuckDB's CSV reader splits each line at its double quotes.

:func:`toppypi.logs.lines.parse_line` splits a line at its ``"`` and reads
the fields from the parts. DuckDB's CSV reader, told that ``"`` is the
delimiter and that nothing is quoted, makes the same split natively and in
parallel, so each part arrives as a column (``p1`` ... ``pN``) and the rules
become a few cheap checks per line: fixed positions, ``GLOB`` and integer
arithmetic, no regular expression and no list per line.

A line this cannot judge exactly goes to the slow path
(:func:`toppypi.logs.lines.parse_sql` over the whole line): one with
Apache's ``\\"`` (a part ending in a backslash), and those the reader rejects
with their line numbers: more than ``N`` parts (with their text), or more
bytes than :data:`~toppypi.logs.lines.MAX_LINE` (their text read again). The caller
guarantees that the file holds no CR, no ``\\x01`` and no empty line
(see :func:`toppypi.logs.parse.sanitize`): the reader would split, confuse or
drop such lines.

Each row of the scan is one line, in file order. ``state`` says what it is:
"""

from __future__ import annotations

import itertools

from toppypi.logs.lines import MAX_LINE, TIME_FORMAT, TIME_RE

BAD, METHOD, STATUS, CANDIDATE, SLOW = 0, 1, 2, 3, 4
PARTS = 11  # columns read: the combined format and up to four more quoted fields
NULL_MARK = "\x01"  # the reader's NULL: never in a line it reads (see the module doc)


def reader_sql(path: str, *, parts: int = PARTS, rejects: bool = True) -> str:
    """``read_csv`` over the file at ``path`` (an SQL literal), one column per part.

    A part that is there but empty reads as ``''``, a missing one as NULL.
    Rejected lines (invalid UTF-8, too long, too many parts) are skipped; with
    ``rejects`` they land in the ``log_rejects`` table with their line numbers
    (which costs the reader a fifth more: only when some line was rejected).
    """
    cols = ", ".join(f"'p{i}': 'VARCHAR'" for i in range(1, parts + 1))
    return (
        f"read_csv({path}, columns={{{cols}}}, delim='\"', quote='', escape='', "
        "header=false, auto_detect=false, strict_mode=true, null_padding=true, "
        f"nullstr='{NULL_MARK}', new_line='\\n', ignore_errors=true, "
        f"max_line_size={MAX_LINE + 1}"  # it takes lines shorter than this, in bytes
        + (
            ", store_rejects=true, rejects_table='log_rejects', rejects_scan='log_rejects_scan')"
            if rejects
            else ")"
        )
    )


def scan_sql(
    reader: str, fmt: str, first_agent: str, *, parts: int = PARTS, host: bool = False
) -> str:
    """One row per line of ``reader``: ``state``, the UTC second ``ts``, the
    target and User-Agent with their hashes ``th`` and ``ah``, the client
    ``host`` (only if asked), and the line itself for the slow path (``line``).

    The agent text is kept only where the function ``first_agent(ah)`` says it is the
    first of its hash, so that a million copies of one long User-Agent are
    not stored. Field values are only set for ``CANDIDATE`` rows.
    """
    p = [f"p{i}" for i in range(1, parts + 1)]
    combined = fmt != "common"
    # A part followed by another that ends in a backslash: Apache's \" split there.
    # Only the parts a line is judged by matter: a later split leaves them as they are.
    used = p[: 7 if combined else 4]
    escaped = " OR ".join(
        f"({b} IS NOT NULL AND suffix({a}, '\\'))" for a, b in itertools.pairwise(used)
    )
    agent_ok = " AND p7 IS NOT NULL AND p5 = ' '" if combined else ""
    agent = "p6" if combined else "NULL::VARCHAR"
    host_sql = "string_split(left(p1, strpos(p1, '[') - 1), ' ')[-4]" if host else "NULL::VARCHAR"
    status = "substring(p3, 2, 3)"
    # The part before the request: a head of at least three spaces, the last one
    # just before the first '[', then the time and '] ' (parse_line's rules, as
    # one regular expression; the reader's rows are at most MAX_LINE bytes).
    head = "[^\\[]* [^\\[]* [^\\[]* \\["
    return f"""
WITH t AS (
    SELECT *, ({escaped}) AS slow,
        CASE WHEN p3 IS NOT NULL AND p3 GLOB ' [0-9][0-9][0-9] *'{agent_ok}
            AND regexp_full_match(p1, '{head}{TIME_RE}\\] ')
            THEN epoch(try_strptime(substring(p1, strpos(p1, '[') + 1, 26),
                '{TIME_FORMAT}'))::BIGINT END AS ts0
    FROM {reader}
), st AS (
    SELECT *, CAST(CASE WHEN slow THEN {SLOW} WHEN ts0 IS NULL THEN {BAD}
            WHEN NOT (p2 = 'GET' OR starts_with(p2, 'GET ')) THEN {METHOD}
            WHEN {status} NOT BETWEEN '200' AND '299' OR {status} = '206' THEN {STATUS}
            ELSE {CANDIDATE} END AS UTINYINT) AS state
    FROM t
), c AS (
    SELECT *, CASE WHEN state = {CANDIDATE} AND contains(p2, ' ')
        THEN split_part(p2, ' ', 2) END AS target,
        CASE WHEN state = {CANDIDATE} AND {agent} IS NOT NULL THEN hash({agent}) END AS ah
    FROM st
)
SELECT state,
    CASE WHEN state = {CANDIDATE} THEN ts0 END AS ts,
    CASE WHEN target IS NOT NULL THEN hash(target) END AS th,
    target,
    ah,
    CASE WHEN state = {CANDIDATE} AND {first_agent}(ah) THEN {agent} END AS agent,
    CASE WHEN state = {CANDIDATE} THEN {host_sql} END AS host,
    CASE WHEN state = {SLOW} THEN concat_ws('"', {", ".join(p)}) END AS line
FROM c
"""  # noqa: S608 - our own SQL over our own relation
