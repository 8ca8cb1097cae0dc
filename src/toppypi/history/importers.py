"""Read published snapshots of every era into :class:`HistoricSnapshot` items.

Accepted inputs: any dump ``read_dump(strict=True)`` reads (the 2018 bare list,
pypinfo JSON, ClickHouse JSON, min JSON, CSV), the long-format
``history-{30,365}-days.csv(.gz)`` tables, their ``snapshots.csv`` metadata, and
a folder holding those. Everything is validated before anything is written, so
one bad file stops the import with one line naming it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from toppypi.errors import InputError
from toppypi.formats.readers import read_dump
from toppypi.history import eras
from toppypi.history.model import WINDOWS, HistoricSnapshot, SnapshotMeta
from toppypi.model.snapshot import Snapshot

LONG_HEADER = "snapshot,window_days,rank,project,download_count"
META_HEADER = "snapshot,window_days,in_history"
_NO_TIMESTAMP = dt.datetime(1, 1, 1)
_TS = "%Y-%m-%d %H:%M:%S"
MetaKey = tuple[int, dt.date]
NORMAL_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"  # PEP 503 form: nothing to normalise
_NORMALISED = re.compile(NORMAL_RE)


def expand(paths: Sequence[Path]) -> list[Path]:
    """Folders stand for the history tables and ``snapshots.csv`` they hold."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("history-*-days.csv*")) + sorted(p.glob("snapshots.csv"))
            if not found:
                raise InputError(f"{p}: no history-*-days.csv.gz or snapshots.csv in this folder")
            out.extend(found)
        else:
            out.append(p)
    return out


def _head(path: Path) -> str:
    import gzip

    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                raw = fh.read(200)
        else:
            with path.open("rb") as fh:
                raw = fh.read(200)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: not a valid gzip file ({exc})") from None
    return raw.decode("utf-8", "replace").lstrip("\ufeff")


def read_inputs(
    paths: Sequence[Path], *, date: dt.date | None = None, window: int | None = None
) -> list[HistoricSnapshot]:
    """Every snapshot in ``paths``, validated; metadata tables are joined, not returned."""
    files = expand(paths)
    kinds = {p: _kind(p) for p in files}
    metas: dict[MetaKey, SnapshotMeta] = {}
    for p in files:
        if kinds[p] == "meta":
            metas.update(read_snapshots_csv(p))
    for p in files:  # a history table's own snapshots.csv, when not given
        sibling = p.with_name("snapshots.csv")
        if kinds[p] == "long" and sibling not in kinds and sibling.is_file():
            metas.update(read_snapshots_csv(sibling))
    out: list[HistoricSnapshot] = []
    for p in files:
        if kinds[p] == "long":
            out.extend(read_long(p, metas))
        elif kinds[p] == "dump":
            out.append(read_one_dump(p, metas, date=date, window=window))
    return out


def _kind(path: Path) -> str:
    head = _head(path)
    if head.startswith(LONG_HEADER):
        return "long"
    if head.startswith(META_HEADER):
        return "meta"
    return "dump"


# --- snapshots.csv --------------------------------------------------------------


def read_snapshots_csv(path: Path) -> dict[MetaKey, SnapshotMeta]:
    """The kept runs (``in_history == 1``) of the published metadata table."""
    out: dict[MetaKey, SnapshotMeta] = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for lineno, rec in enumerate(csv.DictReader(fh), 2):
                if rec.get("in_history") != "1":
                    continue
                try:
                    meta = _meta_from_record(rec)
                except (KeyError, ValueError) as exc:
                    raise InputError(f"{path}: line {lineno}: bad value ({exc})") from None
                out[(meta.window_days, meta.date)] = meta
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return out


def _int(text: str) -> int | None:
    return int(text) if text not in ("", None) else None


def _meta_from_record(rec: dict[str, str]) -> SnapshotMeta:
    day = dt.date.fromisoformat(rec["snapshot"])
    window = int(rec["window_days"])
    source = rec["source"]
    query: dict[str, Any] | None = None
    statistics: dict[str, Any] | None = None
    month = None
    if source == "ClickHouse":
        start, end = eras.previous_month(day)
        month = f"{start:%Y-%m}" if window == 30 else None
        statistics = {
            "elapsed": float(rec["elapsed"]),
            "rows_read": int(rec["rows_read"]),
            "bytes_read": int(rec["bytes_read"]),
        }
    else:
        first, _, last = rec["query_period"].partition("/")
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        if rec["bytes_billed"]:
            query = {
                "bytes_billed": int(rec["bytes_billed"]),
                "bytes_processed": int(rec["bytes_processed"]),
                "cached": rec["cached"] == "True",
                "estimated_cost": rec["estimated_cost"],
            }
    return SnapshotMeta(
        window_days=window,
        date=day,
        last_update=dt.datetime.strptime(rec["last_update"], _TS),
        source=source,
        period_start=start,
        period_end=end,
        query_days=int(rec["query_days"]),
        installers=rec["installers"],
        format=rec["format"],
        month=month,
        query=query,
        statistics=statistics,
        total_rows=_int(rec.get("total_rows", "")),
        rows_before_limit_at_least=_int(rec.get("rows_before_limit_at_least", "")),
        note=rec.get("note", ""),
    )


def default_meta(
    window: int, day: dt.date, last_update: dt.datetime, source: str, fmt: str
) -> SnapshotMeta:
    """Methodology from the published timeline, for a dump that does not say."""
    if eras.is_clickhouse_era(source, day):
        start, end = eras.previous_month(day)
        return SnapshotMeta(
            window,
            day,
            last_update,
            source or "ClickHouse",
            start,
            end,
            (end - start).days + 1,
            "all",
            fmt,
            month=f"{start:%Y-%m}" if window == 30 else None,
        )
    days = eras.pypinfo_days(day, window)
    start, end = eras.pypinfo_period(day, days)
    return SnapshotMeta(
        window,
        day,
        last_update,
        source or "BigQuery/pypinfo",
        start,
        end,
        days,
        eras.pypinfo_installers(day),
        fmt,
    )


# --- long-format history tables ---------------------------------------------------


def read_long(path: Path, metas: dict[MetaKey, SnapshotMeta]) -> list[HistoricSnapshot]:
    """One ``history-*-days.csv.gz``: parsed and validated column-wise, split per snapshot."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    types = {
        "snapshot": pa.string(),
        "window_days": pa.int32(),
        "rank": pa.int64(),
        "project": pa.string(),
        "download_count": pa.int64(),
    }
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a valid history table: {first}") from None
    if table.column_names != list(types):
        raise InputError(f"{path}: expected the columns {LONG_HEADER}")
    for name in types:
        if table.column(name).null_count:
            raise InputError(f"{path}: empty {name} values")
    for name in ("snapshot", "project"):
        if pc.any(pc.equal(table.column(name), "")).as_py():
            raise InputError(f"{path}: empty {name} values")
    if not set(pc.unique(table.column("window_days")).to_pylist()) <= set(WINDOWS):
        raise InputError(f"{path}: window_days must be 30 or 365")
    counts_col = table.column("download_count")
    if len(counts_col) and pc.min(counts_col).as_py() < 0:
        i = int(np.argmax(counts_col.to_numpy() < 0))
        raise InputError(
            f"{path}: line {i + 2}: download_count {counts_col[i].as_py()} is negative"
        )
    keys = pc.binary_join_element_wise(
        pc.cast(table.column("window_days"), pa.string()), table.column("snapshot"), "|"
    )
    codes = keys.combine_chunks().dictionary_encode()
    idx = codes.indices.to_numpy()
    starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]]) if len(idx) else np.array([], int)
    if len(set(idx[starts].tolist())) != len(starts):
        raise InputError(f"{path}: rows are not grouped by snapshot (sort by snapshot, rank)")
    ends = np.r_[starts[1:], len(idx)]
    ranks = table.column("rank").to_numpy()
    expected = np.arange(len(idx)) - np.repeat(starts, ends - starts) + 1
    if not np.array_equal(ranks, expected):
        i = int(np.argmax(ranks != expected))
        raise InputError(f"{path}: line {i + 2}: rank {ranks[i]}, expected {expected[i]}")
    projects: list[str] = table.column("project").to_pylist()
    counts: list[int] = counts_col.to_pylist()
    normal = bool(pc.all(pc.match_substring_regex(table.column("project"), NORMAL_RE)).as_py())
    labels = codes.dictionary.to_pylist()
    out: list[HistoricSnapshot] = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        w_text, _, d_text = labels[idx[a]].partition("|")
        try:
            day = dt.date.fromisoformat(d_text)
        except ValueError:
            raise InputError(f"{path}: line {a + 2}: snapshot {d_text!r} is not a date") from None
        window = int(w_text)
        meta = metas.get((window, day)) or default_meta(
            window, day, dt.datetime.combine(day, dt.time()), "", "history"
        )
        snap = HistoricSnapshot(meta, projects[a:b], counts[a:b], str(path))
        if not normal or len(set(snap.projects)) != len(snap.projects):
            check_unique(snap)
        out.append(snap)
    return out


def check_unique(snap: HistoricSnapshot) -> None:
    """No two rows normalise to one name (the history's names are already normal)."""
    if len(set(snap.projects)) == len(snap.projects) and all(
        _NORMALISED.fullmatch(p) for p in snap.projects
    ):
        return
    from packaging.utils import canonicalize_name

    seen: dict[str, int] = {}
    for i, p in enumerate(snap.projects, 1):
        key = canonicalize_name(p)
        if key in seen:
            raise InputError(
                f"{snap.origin}: snapshot {snap.meta.label} ({snap.meta.window_days} days): "
                f"project {p!r} appears twice (rows {seen[key]} and {i})"
            )
        seen[key] = i


# --- single dumps --------------------------------------------------------------------


def window_from_name(path: Path, fmt: str) -> int:
    if "-365-days" in path.name:
        return 365
    if "-30-days" in path.name:
        return 30
    return 365 if fmt == "pypinfo-list" else 30  # the bare 2018 file was the 365-day one


def dump_format(snap: Snapshot, text_start: str) -> str:
    if text_start.startswith("["):
        return "pypinfo-list"
    if not text_start.startswith("{"):
        return "csv"
    return "pypinfo-dict" if snap.query is not None else "clickhouse"


def read_one_dump(
    path: Path,
    metas: dict[MetaKey, SnapshotMeta],
    *,
    date: dt.date | None = None,
    window: int | None = None,
) -> HistoricSnapshot:
    snap = read_dump(path, strict=True, default_last_update=_NO_TIMESTAMP)
    fmt = dump_format(snap, _head(path).lstrip())
    if snap.last_update == _NO_TIMESTAMP:
        if date is None:
            raise InputError(f"{path}: this dump has no timestamp; pass --date YYYY-MM-DD")
        snap.last_update = dt.datetime.combine(date, dt.time())
    day = snap.last_update.date()  # --date only stands in for a missing timestamp
    win = window or window_from_name(path, fmt)
    if win not in WINDOWS:
        raise InputError(f"{path}: window {win} is not one of 30 or 365 days")
    meta = metas.get((win, day)) or default_meta(win, day, snap.last_update, snap.source, fmt)
    if meta.total_rows is None and snap.total_rows is not None:
        meta = replace(
            meta,
            total_rows=snap.total_rows,
            rows_before_limit_at_least=snap.rows_before_limit_at_least,
            statistics=snap.statistics,
        )
    if snap.query is not None and meta.query is None:
        meta = replace(meta, query=snap.query)
    if not snap.rows:
        raise InputError(f"{path}: the dump has no rows")
    return HistoricSnapshot.from_snapshot(meta, snap, str(path))


def same_rows(a: HistoricSnapshot, b: HistoricSnapshot) -> bool:
    return a.projects == b.projects and a.counts == b.counts


def dedupe(items: Iterable[HistoricSnapshot]) -> list[HistoricSnapshot]:
    """One item per (window, date); the same snapshot given twice must agree."""
    seen: dict[MetaKey, HistoricSnapshot] = {}
    for it in items:
        key = (it.meta.window_days, it.meta.date)
        prev = seen.get(key)
        if prev is None:
            seen[key] = it
        elif not same_rows(prev, it):
            raise InputError(
                f"{it.origin}: snapshot {it.meta.date} ({it.meta.window_days} days) "
                f"differs from the same snapshot in {prev.origin}"
            )
    return list(seen.values())
