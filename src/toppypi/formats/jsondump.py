"""The anchor's JSON dumps, both eras: ``indent=0`` and compact, plus ``\\n``.

ClickHouse era: ``{last_update, source, meta, rows, total_rows,
rows_before_limit_at_least, statistics}``; pypinfo era: ``{last_update, query,
rows}``; 2018: a bare list of rows.
"""

from __future__ import annotations

import json
from typing import Any

from toppypi.formats import JsonLayout
from toppypi.model.ranking import Ranking

PYPINFO_QUERY = {"bytes_billed": 0, "bytes_processed": 0, "cached": False, "estimated_cost": "0.00"}
NO_STATISTICS = {"elapsed": 0.0, "rows_read": 0, "bytes_read": 0}
_ROWS = "\u0000rows\u0000"


def layout_of(ranking: Ranking) -> JsonLayout:
    return JsonLayout.PYPINFO if ranking.envelope.pypinfo else JsonLayout.CLICKHOUSE


def envelope_object(ranking: Ranking, layout: JsonLayout, rows: Any) -> dict[str, Any]:
    """The dump object in the anchor's key order, with ``rows`` put in as given."""
    env = ranking.envelope
    if layout is JsonLayout.PYPINFO:
        query = dict(env.query) if env.query is not None else dict(PYPINFO_QUERY)
        return {"last_update": ranking.last_update_text, "query": query, "rows": rows}
    n = len(ranking)
    return {
        "last_update": ranking.last_update_text,
        "source": ranking.source,
        "meta": [{"name": c, "type": t} for c, t in env.columns],
        "rows": rows,
        "total_rows": env.total_rows if env.total_rows is not None else n,
        "rows_before_limit_at_least": (
            env.rows_before_limit_at_least if env.rows_before_limit_at_least is not None else n
        ),
        "statistics": dict(env.statistics) if env.statistics is not None else dict(NO_STATISTICS),
    }


def encode_indented(ranking: Ranking, layout: JsonLayout) -> bytes:
    """``json.dumps(obj, indent=0)`` + ``\\n``, ten times faster.

    ``indent`` switches json to its pure-Python encoder (a second per 15,000
    rows); only the rows are joined here, each string still escaped by json.
    """
    text = json.dumps(envelope_object(ranking, layout, _ROWS), indent=0)
    if not ranking.projects:
        return (text.replace(json.dumps(_ROWS), "[]", 1) + "\n").encode()
    dumps = json.dumps
    rows = ",\n".join(
        f'{{\n"download_count": {c},\n"project": {dumps(p)}\n}}' for c, p in ranking.rows()
    )
    return (text.replace(dumps(_ROWS), f"[\n{rows}\n]", 1) + "\n").encode()


def encode_compact(ranking: Ranking, layout: JsonLayout) -> bytes:
    rows = [{"download_count": c, "project": p} for c, p in ranking.rows()]
    return (
        json.dumps(envelope_object(ranking, layout, rows), separators=(",", ":")) + "\n"
    ).encode()
