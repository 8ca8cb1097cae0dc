"""Where each snapshot lives in ``archive/``, and the atomic, idempotent import.

Layout (the archive is the source of truth; everything else is derived):

- ``archive/YYYY-MM/``: a 30-day snapshot whose period is exactly that calendar
  month, with the files ``update`` writes (json, min.json, csv, parquet). The
  ClickHouse-era history lands here too, so ``Dataset.months()`` sees it.
- ``archive/snapshots/<window>d/<YYYY-MM-DD>/``: every other snapshot (weekly
  2018 runs, pypinfo's rolling windows, the 365-day series), named by the UTC day
  of its ``last_update``: ``meta.json`` (period, window, methodology,
  provenance) and ``top-pypi-packages.csv`` (the rows).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toppypi.dataset import ARCHIVE, dump_name, month_files, same_data
from toppypi.errors import InputError
from toppypi.formats import DumpFormat, JsonLayout
from toppypi.formats.readers import layout_of, read_dump
from toppypi.formats.writers import dump_object, parquet_bytes, render
from toppypi.history.importers import dedupe
from toppypi.history.model import HistoricSnapshot, SnapshotMeta
from toppypi.model.period import month_end
from toppypi.model.snapshot import Snapshot

SNAPSHOTS = "snapshots"
META_FILE = "meta.json"
ROWS_FILE = dump_name(DumpFormat.CSV)
JSON_FILE = dump_name(DumpFormat.JSON)
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEAD = re.compile(r'"last_update":\s*"([^"]+)",\s*"source":\s*"([^"]*)"')


@dataclass(frozen=True, order=True)
class Entry:
    """A snapshot found in the archive, known from its folder name alone."""

    window_days: int
    as_of: dt.date
    label: str
    path: Path
    monthly: bool

    @property
    def rows_file(self) -> Path:
        """The CSV; a month folder from elsewhere may hold only the JSON."""
        csv = self.path / ROWS_FILE
        return csv if not self.monthly or csv.is_file() else self.path / JSON_FILE


def relative_dir(meta: SnapshotMeta) -> str:
    if meta.month and meta.window_days == 30:
        return f"{ARCHIVE}/{meta.month}"
    return f"{ARCHIVE}/{SNAPSHOTS}/{meta.window_days}d/{meta.date.isoformat()}"


def catalog(root: Path, window: int | None = None) -> list[Entry]:
    """Every archived snapshot, oldest first within each window."""
    arch = root / ARCHIVE
    out: list[Entry] = []
    if not arch.is_dir():
        return out
    if window in (None, 30):
        for p in arch.iterdir():
            if _MONTH.match(p.name) and (p / JSON_FILE).is_file():
                first = dt.date.fromisoformat(p.name + "-01")
                out.append(Entry(30, month_end(first) + dt.timedelta(days=1), p.name, p, True))
    snaps = arch / SNAPSHOTS
    if snaps.is_dir():
        for wdir in snaps.iterdir():
            w = wdir.name.removesuffix("d")
            if not w.isdigit() or (window is not None and int(w) != window):
                continue
            for p in wdir.iterdir():
                if _DAY.match(p.name) and (p / ROWS_FILE).is_file():
                    day = dt.date.fromisoformat(p.name)
                    out.append(Entry(int(w), day, p.name, p, False))
    return sorted(out)


def load_meta(entry: Entry) -> SnapshotMeta:
    if not entry.monthly:
        return SnapshotMeta.from_json(json.loads((entry.path / META_FILE).read_text("utf-8")))
    with (entry.path / JSON_FILE).open("rb") as fh:
        head = fh.read(400).decode("utf-8", "replace")
    m = _HEAD.search(head)
    if m:
        last_update = dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
        source = m.group(2)
    else:  # a pypinfo-layout month: read it whole
        snap = read_dump(entry.path / JSON_FILE)
        last_update, source = snap.last_update, snap.source
    start = dt.date.fromisoformat(entry.label + "-01")
    end = month_end(start)
    days = (end - start).days + 1
    return SnapshotMeta(
        30, last_update.date(), last_update, source, start, end, days, "all", "", entry.label
    )


def rows_table(entry: Entry) -> Any:
    """The ranking as an Arrow table (download_count, project), read with pyarrow."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if entry.rows_file.suffix == ".json":
        snap = read_dump(entry.rows_file)
        return pa.table(
            {
                "download_count": pa.array([r.download_count for r in snap.rows], pa.int64()),
                "project": pa.array([r.project for r in snap.rows], pa.string()),
            }
        )
    types = {"download_count": pa.int64(), "project": pa.string()}
    return pacsv.read_csv(entry.rows_file, convert_options=pacsv.ConvertOptions(column_types=types))


def load_rows(entry: Entry) -> tuple[list[str], list[int]]:
    """The ranking as two lists: no JSON, no Row objects (movers has 50 ms)."""
    table = rows_table(entry)
    projects: list[str] = table.column("project").to_pylist()
    counts: list[int] = table.column("download_count").to_pylist()
    return projects, counts


def load(entry: Entry) -> HistoricSnapshot:
    projects, counts = load_rows(entry)
    return HistoricSnapshot(load_meta(entry), projects, counts, str(entry.path))


def load_snapshot(entry: Entry) -> Snapshot:
    if entry.monthly:
        snap = read_dump(entry.path / JSON_FILE)
        snap.window_days = 30
        return snap
    return load(entry).to_snapshot()


# --- writing ------------------------------------------------------------------


def render_rows(snap: HistoricSnapshot) -> bytes:
    """The anchor's CSV (project always quoted), built without Row objects."""
    projects = snap.projects
    if any('"' in p for p in projects):
        projects = [p.replace('"', '""') for p in projects]
    body = "\n".join(f'{c},"{p}"' for c, p in zip(snap.counts, projects, strict=True))
    return f"download_count,project\n{body}\n".encode()


def render_json(snap: HistoricSnapshot, obj: dict[str, object]) -> bytes:
    """``json.dumps(obj, indent=0)`` of a ClickHouse-layout dump, 10x faster.

    ``indent`` switches json to its pure-Python encoder, which costs a second
    per 15,000-row month; only the rows are hand-joined, each string still
    escaped by json. A test holds this to the writer's bytes.
    """
    marker = "\u0000rows\u0000"
    text = json.dumps({**obj, "rows": marker}, indent=0)
    dumps = json.dumps
    rows = ",\n".join(
        f'{{\n"download_count": {c},\n"project": {dumps(p)}\n}}'
        for c, p in zip(snap.counts, snap.projects, strict=True)
    )
    return (text.replace(dumps(marker), f"[\n{rows}\n]", 1) + "\n").encode()


def _month_files(snap: HistoricSnapshot) -> dict[str, bytes]:
    snapshot = snap.to_snapshot()
    if layout_of(snapshot) is not JsonLayout.CLICKHOUSE or not snap.projects:
        return month_files(snapshot)
    obj = dump_object(snapshot, JsonLayout.CLICKHOUSE)
    return {
        JSON_FILE: render_json(snap, {k: v for k, v in obj.items()}),
        dump_name(DumpFormat.MIN_JSON): render(snapshot, DumpFormat.MIN_JSON),
        ROWS_FILE: render_rows(snap),
        dump_name(DumpFormat.PARQUET): parquet_bytes(snapshot),
    }


def snapshot_files(snap: HistoricSnapshot) -> dict[str, bytes]:
    if snap.meta.month and snap.meta.window_days == 30:
        return _month_files(snap)
    meta = json.dumps(snap.meta.to_json(), indent=2, sort_keys=True) + "\n"
    return {META_FILE: meta.encode(), ROWS_FILE: render_rows(snap)}


@dataclass
class ImportReport:
    written: list[str] = field(default_factory=list)  # archive folders, relative
    unchanged: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.written) + len(self.unchanged)


def _existing_same(root: Path, rel: str, snap: HistoricSnapshot) -> bool | None:
    """None: nothing there; True: the same rows; False: different rows (a conflict)."""
    target = root / rel
    if snap.meta.month and snap.meta.window_days == 30:
        path = target / JSON_FILE
        if not path.is_file():
            return None
        return same_data(read_dump(path), snap.to_snapshot())
    path = target / ROWS_FILE
    if not path.is_file():
        return None
    return path.read_bytes() == render_rows(snap)


def import_snapshots(root: Path, items: Sequence[HistoricSnapshot]) -> ImportReport:
    """File every snapshot under ``root/archive``; all or nothing, reruns change nothing.

    A folder that already holds different rows is a conflict: the import stops
    before writing, naming it. Concurrent imports into one dataset take turns.
    """
    from filelock import FileLock

    from toppypi.history.index import private_dir

    with FileLock(private_dir(root) / "import.lock"):
        _sweep_staging(root)
        return _import(root, items)


STAGING_PREFIX = ".import-"


def _sweep_staging(root: Path) -> None:
    """Staging folders an import killed mid-way left behind; safe under the import lock."""
    archive = root / ARCHIVE
    if archive.is_dir():
        for d in archive.glob(f"{STAGING_PREFIX}*"):
            if d.is_dir():
                shutil.rmtree(d, ignore_errors=True)


def _import(root: Path, items: Sequence[HistoricSnapshot]) -> ImportReport:
    report = ImportReport()
    todo: list[tuple[str, HistoricSnapshot]] = []
    for snap in sorted(dedupe(items), key=lambda s: (s.meta.window_days, s.meta.date)):
        rel = relative_dir(snap.meta)
        same = _existing_same(root, rel, snap)
        if same is None:
            todo.append((rel, snap))
        elif same:
            report.unchanged.append(rel)
        else:
            raise InputError(
                f"{snap.origin}: {rel} already holds different rows for "
                f"{snap.meta.label} ({snap.meta.window_days} days); "
                "remove that folder to replace it"
            )
    if not todo:
        return report
    archive = root / ARCHIVE
    archive.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=archive))
    try:
        for i, (_rel, snap) in enumerate(todo):
            d = staging / str(i)
            d.mkdir()
            for name, data in snapshot_files(snap).items():
                (d / name).write_bytes(data)
        _sync_tree(staging)
        for i, (rel, _snap) in enumerate(todo):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / str(i), target)
            report.written.append(rel)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _sync_tree(root: Path) -> None:
    """One flush for the whole staging tree: fsync per file would cost the 5 s budget."""
    if hasattr(os, "sync"):
        os.sync()
