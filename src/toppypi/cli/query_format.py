"""pypinfo's output for ``toppypi query``: its table, Markdown, JSON, plus CSV.

Pure functions from a :class:`~toppypi.api.QueryResult` to text, so tests can
compare exact output. The shapes are pypinfo's (a header of four lines about
the cost, ``| col | col |`` rows, a ``Total`` row, a ``percent`` column before
``download_count``); the values keep their types in JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from toppypi.model.result import Provenance, Value

if TYPE_CHECKING:
    from toppypi.api import QueryResult
    from toppypi.engines.capabilities import Capabilities
    from toppypi.engines.interface import Estimate

COUNT = "download_count"
PERCENT = "percent"
_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def human_bytes(n: int | None) -> str:
    """Binary units with two decimals, as pypinfo prints them (``2.83 GiB``)."""
    if n is None:
        return "n/a"
    amount = float(n)
    unit = 0
    while amount >= 1024 and unit < len(_UNITS) - 1:
        amount /= 1024
        unit += 1
    return f"{amount:.2f} {_UNITS[unit]}"


def dollars(cost: float | None) -> str:
    """Cost rounded up to the cent, as pypinfo does."""
    if cost is None:
        return "n/a"
    return f"${math.ceil(round(cost * 100, 6)) / 100:.2f}"


def cost_lines(prov: Provenance) -> str:
    """pypinfo's four lines above a table."""
    processed = human_bytes(prov.bytes_processed)
    if prov.bytes_processed is None:
        processed += f" (the {prov.engine} engine does not measure it)"
    return (
        f"Served from cache: {prov.cached}\n"
        f"Data processed: {processed}\n"
        f"Data billed: {human_bytes(prov.bytes_billed)}\n"
        f"Estimated cost: {dollars(prov.estimated_cost)}\n"
    )


def render_estimate(
    caps: Capabilities, est: Estimate | None, *, as_json: bool, indent: int | None = 2
) -> str:
    """``--dry-run``'s report, the same for ``top``, ``update`` and ``query``.

    pypinfo's cost lines, then what was checked; a free engine that cannot
    price a query says so and costs $0.00.
    """
    extra = {k: v for k, v in asdict(est).items() if k not in ("bytes_processed",)} if est else {}
    billed = extra.pop("bytes_billed", None if est else 0)
    cost = est.estimated_cost if est is not None else (0.0 if caps.free else None)
    extra.pop("estimated_cost", None)
    if as_json:
        obj = {
            "dry_run": True,
            "engine": caps.name,
            "can_estimate": est is not None,
            "bytes_processed": est.bytes_processed if est is not None else None,
            "bytes_billed": billed,
            "estimated_cost": cost,
            **extra,
        }
        return json.dumps(obj, indent=indent, sort_keys=True) + "\n"
    if est is None:
        processed = f"n/a (the {caps.name} engine cannot estimate a query before running it)"
        verdict = (
            f"the {caps.name} engine is free: nothing is billed"
            if caps.free
            else "the engine cannot price it: run it with care"
        )
    else:
        processed = f"{human_bytes(est.bytes_processed)} ({est.bytes_processed:,} bytes)"
        verdict = "within the limits"
        if "maximum_bytes_billed" in extra:
            verdict += (
                f" (maximum_bytes_billed {human_bytes(extra['maximum_bytes_billed'])}, "
                f"{human_bytes(extra['remaining_budget'])} left of {human_bytes(extra['budget'])}"
                f" for {extra['month']} at ${extra['price_per_tib']:g}/TiB)"
            )
    return (
        f"Data processed: {processed}\n"
        f"Data billed: {human_bytes(billed)}\n"
        f"Estimated cost: {dollars(cost)}\n"
        f"Dry run: nothing was run; {verdict}.\n"
    )


def _cell(value: Value, *, percent: bool) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return str(value)
    if percent and isinstance(value, float):
        return f"{value:.2%}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table_cells(result: QueryResult) -> tuple[list[str], list[list[str]], set[int]]:
    """Headers, text cells (with the Total row) and the right-aligned columns."""
    headers = list(result.columns)
    pi = headers.index(PERCENT) if PERCENT in headers else -1
    right = {
        i
        for i in range(len(headers))
        if i == pi
        or any(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in result.rows)
    }
    cells = [[_cell(v, percent=i == pi) for i, v in enumerate(r)] for r in result.rows]
    if len(cells) > 1:  # pypinfo: more than the header row and a single data row
        total = [""] * len(headers)
        total[0] = "Total"
        total[headers.index(COUNT)] = f"{result.total:,}"
        cells.append(total)
    return headers, cells, right


def tabulate(
    headers: list[str], cells: list[list[str]], right: set[int], *, markdown: bool = False
) -> str:
    """``| a | b |`` lines; Markdown marks right-aligned columns ``--:``."""
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    rule = ["-" * (w - 1) + (":" if markdown and i in right else "-") for i, w in enumerate(widths)]
    lines.append("| " + " | ".join(rule) + " |")
    for row in cells:
        padded = [
            c.rjust(w) if i in right and c != "Total" else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("| " + " | ".join(padded) + " |")
    return "\n".join(lines) + "\n"


def render_table(result: QueryResult, *, markdown: bool = False) -> str:
    """What pypinfo prints: the cost lines, a blank line, the table."""
    if not result.rows:
        return "No data returned, check project name\n"
    headers, cells, right = table_cells(result)
    return cost_lines(result.provenance) + "\n" + tabulate(headers, cells, right, markdown=markdown)


def query_info(result: QueryResult) -> dict[str, Any]:
    prov = result.provenance
    period = result.query.period
    return {
        "engine": prov.engine,
        "sql": prov.sql,
        "bytes_processed": prov.bytes_processed,
        "bytes_billed": prov.bytes_billed,
        "estimated_cost": prov.estimated_cost,
        "elapsed": round(prov.elapsed, 6),
        "cached": prov.cached,
        "start_date": period.start.isoformat(),
        "end_date": period.end.isoformat(),
    }


def render_json(
    result: QueryResult, *, indent: int | None = None, now: dt.datetime | None = None
) -> str:
    """pypinfo's ``{last_update, query, rows}`` (sorted keys), with typed values."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M:%S")
    obj = {"last_update": stamp, "query": query_info(result), "rows": result.dicts()}
    separators = (",", ":") if indent is None else None
    return json.dumps(obj, indent=indent, separators=separators, sort_keys=True) + "\n"


def render_csv(result: QueryResult) -> str:
    """A header and the rows; a missing value is an empty field; no Total row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows(["" if v is None else v for v in r] for r in result.rows)
    return buf.getvalue()
