"""Read published snapshots of every era into :class:`Ranking` items.

Accepted inputs: any dump the readers take (the 2018 bare list, pypinfo JSON,
ClickHouse JSON, min JSON, CSV), the long-format
``history-{30,365}-days.csv(.gz)`` tables, their ``snapshots.csv`` metadata, and
a folder holding those. Everything is validated before anything is written, so
one bad file stops the import with one line naming it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toppypi.errors import InputError, InvalidDump
from toppypi.formats import validate
from toppypi.formats.decode import read_dump
from toppypi.history import eras
from toppypi.model.period import Period, PeriodKind
from toppypi.model.ranking import WINDOWS, Envelope, Methodology, Ranking

LONG_HEADER = "snapshot,window_days,rank,project,download_count"
META_HEADER = "snapshot,window_days,in_history"
_NO_TIMESTAMP = dt.datetime(1, 1, 1)
_TS = "%Y-%m-%d %H:%M:%S"
MetaKey = tuple[int, dt.date]
NORMAL_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"  # PEP 503 form: nothing to normalise


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
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: not a valid gzip file ({exc})") from None
    return raw.decode("utf-8", "replace").lstrip("\ufeff")


def read_inputs(
    paths: Sequence[Path], *, date: dt.date | None = None, window: int | None = None
) -> list[Ranking]:
    """Every snapshot in ``paths``, validated; metadata tables are joined, not returned."""
    if date is not None:
        problem = validate.timestamp_problem(dt.datetime.combine(date, dt.time()))
        if problem:
            raise InputError(f"--date {date}: {problem.removeprefix('last_update ')}")
    files = expand(paths)
    kinds = {p: _kind(p) for p in files}
    metas: dict[MetaKey, Ranking] = {}
    for p in files:
        if kinds[p] == "meta":
            metas.update(read_snapshots_csv(p))
    for p in files:  # a history table's own snapshots.csv, when not given
        sibling = p.with_name("snapshots.csv")
        if kinds[p] == "long" and sibling not in kinds and sibling.is_file():
            metas.update(read_snapshots_csv(sibling))
    out: list[Ranking] = []
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


def _period_kind(start: dt.date, end: dt.date, calendar: bool) -> PeriodKind:
    if not calendar:
        return PeriodKind.RANGE
    return PeriodKind.MONTH if start.replace(day=1) == end.replace(day=1) else PeriodKind.YEAR


def _header(
    window: int,
    last_update: dt.datetime,
    source: str,
    start: dt.date,
    end: dt.date,
    query_days: int,
    installers: str,
    fmt: str,
    *,
    calendar: bool = False,
    envelope: Envelope | None = None,
    note: str = "",
) -> Ranking:
    """A snapshot's identity and methodology, its rows still to come."""
    return Ranking(
        (),
        (),
        last_update,
        period=Period(start, end, _period_kind(start, end, calendar)),
        methodology=Methodology(
            source=source,
            window_days=window,
            query_days=query_days,
            installers=installers,
            calendar_months=calendar,
            step=Methodology.known_step(window, last_update.date()),
        ),
        envelope=envelope or Envelope(),
        format=fmt,
        note=note,
    )


def read_snapshots_csv(path: Path) -> dict[MetaKey, Ranking]:
    """The kept runs (``in_history == 1``) of the published metadata table."""
    out: dict[MetaKey, Ranking] = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for lineno, rec in enumerate(csv.DictReader(fh), 2):
                if rec.get("in_history") != "1":
                    continue
                try:
                    meta = _meta_from_record(rec)
                except (KeyError, ValueError, TypeError, AttributeError) as exc:
                    raise InputError(f"{path}: line {lineno}: bad value ({exc})") from None
                out[(meta.window_days or 0, meta.date)] = meta
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise InputError(f"{path}: broken CSV ({exc})") from None
    return out


def _int(text: str | None) -> int | None:
    return int(text) if text not in ("", None) else None


def _meta_from_record(rec: dict[str, str]) -> Ranking:
    window = int(rec["window_days"])
    if window not in WINDOWS:
        raise ValueError(f"window_days {window} is not 30 or 365")
    last_update = dt.datetime.strptime(rec["last_update"], _TS)
    problem = validate.timestamp_problem(last_update)
    if problem:
        raise ValueError(problem)
    day = last_update.date()
    source = rec["source"]
    query: dict[str, Any] | None = None
    statistics: dict[str, Any] | None = None
    calendar = False
    if source == "ClickHouse":
        start, end = eras.previous_month(day)
        calendar = window == 30
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
    env = Envelope(
        total_rows=_int(rec.get("total_rows")),
        rows_before_limit_at_least=_int(rec.get("rows_before_limit_at_least")),
        statistics=statistics,
        query=query,
    )
    return _header(
        window,
        last_update,
        source,
        start,
        end,
        int(rec["query_days"]),
        rec["installers"],
        rec["format"],
        calendar=calendar,
        envelope=env,
        note=rec.get("note", ""),
    )


def default_meta(
    window: int, day: dt.date, last_update: dt.datetime, source: str, fmt: str
) -> Ranking:
    """Methodology from the published timeline, for a dump that does not say."""
    if eras.is_clickhouse_era(source, day):
        start, end = eras.calendar_window(day, window)
        return _header(
            window,
            last_update,
            source or "ClickHouse",
            start,
            end,
            (end - start).days + 1,
            "all",
            fmt,
            calendar=True,
        )
    days = eras.pypinfo_days(day, window)
    start, end = eras.pypinfo_period(day, days)
    return _header(
        window,
        last_update,
        source or eras.PYPINFO_SOURCE,
        start,
        end,
        days,
        eras.pypinfo_installers(day),
        fmt,
    )


# --- long-format history tables ---------------------------------------------------


def read_long(path: Path, metas: dict[MetaKey, Ranking]) -> list[Ranking]:
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
    counts_np = counts_col.to_numpy()
    if len(counts_col) and counts_np.min() < 0:
        i = int(np.argmax(counts_np < 0))
        raise InputError(f"{path}: line {i + 2}: download_count {counts_np[i]} is negative")
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
    step_up = np.flatnonzero((counts_np[1:] > counts_np[:-1]) & (expected[1:] > 1))
    if len(step_up):
        i = int(step_up[0]) + 1
        raise InputError(
            f"{path}: line {i + 2}: counts not in descending order within snapshot "
            f"{table.column('snapshot')[i].as_py()}"
        )
    projects: list[str] = table.column("project").to_pylist()
    counts: list[int] = counts_col.to_pylist()
    labels = codes.dictionary.to_pylist()
    out: list[Ranking] = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        w_text, _, d_text = labels[idx[a]].partition("|")
        try:
            day = dt.date.fromisoformat(d_text)
        except ValueError:
            raise InputError(f"{path}: line {a + 2}: snapshot {d_text!r} is not a date") from None
        problem = validate.timestamp_problem(dt.datetime.combine(day, dt.time()))
        if problem:
            raise InputError(f"{path}: line {a + 2}: snapshot {day}: {problem}")
        window = int(w_text)
        meta = metas.get((window, day)) or default_meta(
            window, day, dt.datetime.combine(day, dt.time()), "", "history"
        )
        part = projects[a:b]
        dupes = validate.duplicates(part)
        if dupes:
            dup, row_a, row_b = dupes[0]
            raise InputError(
                f"{path}: snapshot {meta.label} ({window} days): project {dup!r} appears "
                f"twice (rows {row_a} and {row_b})"
            )
        out.append(meta.replace(projects=part, counts=counts[a:b], origin=str(path)))
    return out


# --- single dumps --------------------------------------------------------------------


def window_from_name(path: Path, fmt: str) -> int:
    if "-365-days" in path.name:
        return 365
    if "-30-days" in path.name:
        return 30
    return 365 if fmt == "pypinfo-list" else 30  # the bare 2018 file was the 365-day one


def with_methodology(
    r: Ranking,
    metas: dict[MetaKey, Ranking] | None = None,
    *,
    window: int | None = None,
    name: str = "",
) -> Ranking:
    """A dump read back, with the methodology the history knows for it (or the timeline's)."""
    win = window or window_from_name(Path(name or r.origin), r.format)
    if win not in WINDOWS:
        raise InputError(f"{name or r.origin}: window {win} is not one of 30 or 365 days")
    day = r.date
    meta = (metas or {}).get((win, day)) or default_meta(
        win, day, r.last_update, r.source, r.format
    )
    env = r.envelope
    if meta.envelope.total_rows is not None and env.total_rows is None:
        env = meta.envelope
    elif env.query is None and meta.envelope.query is not None:
        env = Envelope(
            columns=env.columns,
            total_rows=env.total_rows,
            rows_before_limit_at_least=env.rows_before_limit_at_least,
            statistics=env.statistics,
            query=meta.envelope.query,
        )
    return r.replace(
        period=meta.period,
        methodology=meta.methodology,
        envelope=env,
        note=meta.note or r.note,
    )


def read_one_dump(
    path: Path,
    metas: dict[MetaKey, Ranking],
    *,
    date: dt.date | None = None,
    window: int | None = None,
) -> Ranking:
    r = read_dump(path, default_last_update=_NO_TIMESTAMP)
    if r.last_update == _NO_TIMESTAMP:
        if date is None:
            raise InputError(f"{path}: this dump has no timestamp; pass --date YYYY-MM-DD")
        r = r.replace(last_update=dt.datetime.combine(date, dt.time()))
    return with_methodology(r, metas, window=window, name=str(path))


__all__ = ["InvalidDump", "read_inputs", "read_one_dump", "with_methodology"]
