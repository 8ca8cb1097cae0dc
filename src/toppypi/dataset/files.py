"""The bytes of each archived file, from a :class:`Ranking`: one place decides the names."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from toppypi.dataset.catalog import meta_json
from toppypi.dataset.layout import ARCHIVE, CHECKS_FILE, META_FILE, PROVENANCE_FILE, SNAPSHOTS
from toppypi.formats import BASENAME, TEXT_FORMATS, DumpFormat, JsonLayout, dump_name
from toppypi.formats.encode import encode
from toppypi.model.ranking import Ranking


def dump_files(
    r: Ranking, base: str = BASENAME, layout: JsonLayout | None = None, *, parquet: bool = True
) -> dict[str, bytes]:
    """json, min.json, csv (and Parquet) of one ranking under ``base``."""
    out = {dump_name(f, base): encode(r, f, layout) for f in TEXT_FORMATS}
    if parquet:
        out[dump_name(DumpFormat.PARQUET, base)] = encode(r, DumpFormat.PARQUET)
    return out


def json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2) + "\n").encode()


def month_files(
    r: Ranking,
    *,
    layout: JsonLayout | None = None,
    checks: Mapping[str, Any] | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> dict[str, bytes]:
    """What ``update`` archives for a month (the full list is streamed in separately)."""
    files = dump_files(r, layout=layout)
    if checks is not None:
        files[CHECKS_FILE] = json_bytes(checks)
    if provenance is not None:
        files[PROVENANCE_FILE] = json_bytes(provenance)
    return files


def is_calendar_month(r: Ranking) -> bool:
    return r.window_days == 30 and r.month is not None


def snapshot_dir(r: Ranking) -> str:
    """Where an imported snapshot is filed, relative to the dataset root."""
    if is_calendar_month(r):
        return f"{ARCHIVE}/{r.month}"
    return f"{ARCHIVE}/{SNAPSHOTS}/{r.window_days}d/{r.date.isoformat()}"


def snapshot_files(r: Ranking) -> dict[str, bytes]:
    """An imported snapshot: a month's dumps, or ``meta.json`` and the CSV."""
    if is_calendar_month(r):
        return dump_files(r)
    meta = json.dumps(meta_json(r), indent=2, sort_keys=True) + "\n"
    return {META_FILE: meta.encode(), dump_name(DumpFormat.CSV): encode(r, DumpFormat.CSV)}
