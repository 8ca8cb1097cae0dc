"""The fast path: DuckDB's CSV reader splits each line at its double quotes.

:func:`toppypi.logs.lines.parse_line` splits a line at its ``"`` and reads
the fields from the parts. DuckDB's CSV reader, told that ``"`` is the
delimiter and that nothing is quoted, makes the same split natively and in
parallel, so each part arrives as a column (``p1`` ... ``pN``) and the rules
become a few cheap checks per line: fixed positions, ``GLOB`` and integer
arithmetic, no regular expression and no list per line.

A line this cannot judge exactly goes to the slow path
(:func:`toppypi.logs.lines.parse_sql` over the whole line): one with
Apache's ``\\"`` (a part ending in a backslash), one longer than
:data:`~toppypi.logs.lines.MAX_LINE`, and one with more than ``N`` parts
(the reader rejects it, with its text and line number). The caller
guarantees that the file holds no CR, no ``\\x01`` and no empty line
(see :func:`toppypi.logs.parse.sanitize`): the reader would split, confuse or
drop such lines.

Each row of the scan is one line, in file order. ``state`` says what it is:
"""

from __future__ import annotations

import itertools

from toppypi.logs.lines import MAX_LINE

BAD, METHOD, STATUS, CANDIDATE, SLOW = 0, 1, 2, 3, 4
PARTS = 9  # columns read: the combined format and two more quoted fields
NULL_MARK = "\x01"  # the reader's NULL: never in a line it reads (see the module doc)
_MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"
_TIME_GLOB = (
    "[0-3][0-9]/[A-Z][a-z][a-z]/[12][09][0-9][0-9]:[0-2][0-9]:[0-5][0-9]:[0-5][0-9] "
    "[+-][01][0-9][0-5][0-9]"
)


def reader_sql(path: str, *, parts: int = PARTS) -> str:
    """``read_csv`` over the file at ``path`` (an SQL literal), one column per part.

    A part that is there but empty reads as ``''``, a missing one as NULL.
    Rejected lines (invalid UTF-8, too long, too many parts) land in the
    ``log_rejects`` table with their line numbers.
    """
    cols = ", ".join(f"'p{i}': 'VARCHAR'" for i in range(1, parts + 1))
    return (
        f"read_csv({path}, columns={{{cols}}}, delim='\"', quote='', escape='', "
        "header=false, auto_detect=false, strict_mode=true, null_padding=true, "
        f"nullstr='{NULL_MARK}', new_line='\\n', ignore_errors=true, max_line_size=1048576, "
        "store_rejects=true, rejects_table='log_rejects', rejects_scan='log_rejects_scan')"
    )


def scan_sql(
    reader: str, fmt: str, first_agent: str, *, parts: int = PARTS, host: bool = False
) -> str:
    """One row per line of ``reader``: ``state``, the UTC second ``ts``, the
    target and User-Agent with their hashes ``th`` and ``ah``, the client
    ``host`` (only if asked), the line itself for the slow path (``line``),
    and ``nb``, the line's bytes with its newline (to prove none was dropped).

    The agent text is kept only where the function ``first_agent(ah)`` says it is the
    first of its hash, so that a million copies of one long User-Agent are
    not stored. Field values are only set for ``CANDIDATE`` rows.
    """
    p = [f"p{i}" for i in range(1, parts + 1)]
    nb = " + ".join(["strlen(p1)", *(f"coalesce(strlen({c}) + 1, 0)" for c in p[1:]), "1"])
    # A part followed by another that ends in a backslash: Apache's \" split there.
    escaped = " OR ".join(
        f"({b} IS NOT NULL AND suffix({a}, '\\'))" for a, b in itertools.pairwise(p)
    )
    combined = fmt != "common"
    agent_ok = " AND p7 IS NOT NULL AND p5 = ' '" if combined else ""
    agent = "p6" if combined else "NULL::VARCHAR"
    host_sql = "string_split(left(p1, lb - 1), ' ')[-4]" if host else "NULL::VARCHAR"
    status = "substring(p3, 2, 3)"
    return f"""
WITH r AS (
    SELECT *, strpos(p1, '[') AS lb, {nb} AS nb FROM {reader}
), s AS (
    SELECT *,
        ({escaped} OR nb > {MAX_LINE + 1}) AS slow,
        CASE WHEN p3 IS NOT NULL AND lb > 0 AND length(p1) = lb + 28
            AND substring(p1, lb + 27, 2) = '] ' AND left(p1, lb - 1) LIKE '% % % '
            AND p3 GLOB ' [0-9][0-9][0-9] *'{agent_ok}
            THEN substring(p1, lb + 1, 26) END AS tt
    FROM r
), v AS (
    SELECT *, CASE WHEN tt GLOB '{_TIME_GLOB}'
            AND substring(tt, 1, 2) BETWEEN '01' AND '31'
            AND substring(tt, 8, 3) BETWEEN '198' AND '209'
            AND substring(tt, 13, 2) <= '23' AND substring(tt, 23, 2) <= '14'
            AND strpos('{_MONTHS}', substring(tt, 4, 3)) % 3 = 1
            THEN tt END AS vt
    FROM s
), n AS (
    SELECT *,
        CAST(substring(vt, 8, 4) AS INTEGER) AS y,
        (strpos('{_MONTHS}', substring(vt, 4, 3)) + 2) // 3 AS m,
        CAST(substring(vt, 1, 2) AS INTEGER) AS d
    FROM v
), t AS (
    SELECT *, CASE WHEN d <= CASE WHEN m = 2 THEN 28 + CASE WHEN y % 4 = 0
                AND (y % 100 <> 0 OR y % 400 = 0) THEN 1 ELSE 0 END
            WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END
        THEN (make_date(y, m, d) - DATE '1970-01-01') * 86400
            + CAST(substring(vt, 13, 2) AS INTEGER) * 3600
            + CAST(substring(vt, 16, 2) AS INTEGER) * 60
            + CAST(substring(vt, 19, 2) AS INTEGER)
            - CASE WHEN substring(vt, 21, 1) = '-' THEN -1 ELSE 1 END
            * (CAST(substring(vt, 22, 2) AS INTEGER) * 3600
                + CAST(substring(vt, 24, 2) AS INTEGER) * 60)
        END AS ts0
    FROM n
), st AS (
    SELECT *, CAST(CASE WHEN slow THEN {SLOW} WHEN ts0 IS NULL THEN {BAD}
            WHEN split_part(p2, ' ', 1) <> 'GET' THEN {METHOD}
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
    CASE WHEN state = {SLOW} THEN concat_ws('"', {", ".join(p)}) END AS line,
    nb
FROM c
"""  # noqa: S608 - our own SQL over our own relation
