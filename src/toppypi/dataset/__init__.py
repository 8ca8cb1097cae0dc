"""The only owner of a dataset folder: its layout, releases, staging, lock and leftovers.

Reading goes through :class:`Dataset`; writing only through the
:class:`Writer` that :meth:`Dataset.writing` hands out while it holds the
dataset's lock, after sweeping what a killed run left behind. A released month
is never written again unless a correction is asked for explicitly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toppypi.atomic import atomic_write
from toppypi.dataset import catalog as _catalog
from toppypi.dataset import files as _files
from toppypi.dataset.catalog import Entry
from toppypi.dataset.layout import (
    ARCHIVE,
    CHECKS_FILE,
    DEMO_MARKER,
    PROVENANCE_FILE,
    RELEASE_FILE,
    Layout,
    day_of,
    month_of,
)
from toppypi.dataset.lock import DatasetBusy, hold, private_dir
from toppypi.dataset.releases import MonthReleased, released, tag_for
from toppypi.dataset.staging import Extra, import_dirs, stage_month, write_unsynced
from toppypi.dataset.sweep import sweep
from toppypi.errors import InputError, UsageError
from toppypi.formats.decode import read_dump
from toppypi.model.ranking import Ranking
from toppypi.publish.config import Config, load_config

__all__ = [
    "Dataset",
    "DatasetBusy",
    "Entry",
    "ImportReport",
    "MonthReleased",
    "Writer",
    "tag_for",
]

Say = Callable[[str], None]


class Dataset:
    """A dataset folder, read side."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.layout = Layout(root)

    # -- settings and releases ---------------------------------------------------

    def config(self) -> Config | None:
        return load_config(self.root)

    def released(self) -> dict[str, list[str]]:
        """Released months and their tags, from git."""
        return released(self.root)

    def release_of(self, month: str) -> str | None:
        tags = self.released().get(month)
        return tags[-1] if tags else None

    def is_demo(self) -> bool:
        return (self.layout.private / DEMO_MARKER).is_file()

    def exists(self) -> bool:
        """A dataset folder: its settings or its archive (a fresh ``init`` has no month yet)."""
        return self.layout.config.is_file() or self.layout.archive.is_dir()

    # -- the archive --------------------------------------------------------------

    def catalog(self, window: int | None = None) -> list[Entry]:
        return _catalog.catalog(self.root, window)

    def months(self) -> list[str]:
        """Archived calendar months (30-day dumps), oldest first."""
        return _catalog.months(self.root)

    def strays(self) -> list[str]:
        """Folders in ``archive/`` whose names hold no snapshot: passed over, and named."""
        return _catalog.strays(self.root)

    def entry(self, month: str, window: int = 30) -> Entry | None:
        for e in self.catalog(window):
            if e.monthly and e.label == month:
                return e
        return None

    def load(self, month: str, window: int = 30, *, exact: bool = False) -> Ranking:
        e = self.entry(month, window)
        if e is None:
            raise UsageError(f"{self.root}: no {window}-day ranking for {month} in the archive")
        return _catalog.load(e, exact=exact)

    def load_entry(self, entry: Entry, *, exact: bool = False) -> Ranking:
        """``exact``: everything its dump says, to write it back byte for byte."""
        return _catalog.load(entry, exact=exact)

    def header(self, entry: Entry) -> Ranking:
        return _catalog.header(entry)

    def columns(self, entry: Entry) -> tuple[list[str], list[int]]:
        return _catalog.columns(entry)

    def previous(self, month: str) -> str | None:
        earlier = [m for m in self.months() if m < month]
        return earlier[-1] if earlier else None

    def history_before(self, as_of: dt.date, window: int, count: int) -> list[Ranking]:
        """The last ``count`` snapshots of ``window`` whose period ended before ``as_of``."""
        entries = [e for e in self.catalog(window) if e.as_of < as_of][-count:]
        return [self.load_entry(e) for e in entries]

    def month_file(self, month: str, name: str) -> Path:
        return self.layout.month_dir(month) / name

    def read_json(self, month: str, name: str) -> dict[str, Any] | None:
        """``checks.json`` or ``provenance.json`` of a month; None when not archived."""
        return _catalog.read_json_object(self.month_file(month, name))

    def checks(self, month: str) -> dict[str, Any] | None:
        return self.read_json(month, CHECKS_FILE)

    def provenance(self, month: str) -> dict[str, Any] | None:
        return self.read_json(month, PROVENANCE_FILE)

    def find(self, spec: str, window: int) -> Entry:
        """A month (``YYYY-MM``: the snapshot whose period ends in it), or a snapshot date."""
        mine = self.catalog(window)
        if not mine:
            raise UsageError(
                f"{self.root}: the archive has no {window}-day snapshots; "
                "run `toppypi update` or `toppypi history import`"
            )
        if month_of(spec) is not None:
            exact = [e for e in mine if e.monthly and e.label == spec]
            if exact:
                return exact[0]
            inside = [e for e in mine if (e.as_of - dt.timedelta(days=1)).strftime("%Y-%m") == spec]
            if inside:
                return inside[-1]
        elif day_of(spec) is not None:
            same = [e for e in mine if e.label == spec or e.as_of.isoformat() == spec]
            if same:
                return same[-1]
        else:
            raise UsageError(f"{spec!r} is not YYYY-MM, YYYY-MM-DD or a dump file")
        span = f"{mine[0].label} .. {mine[-1].label}"
        raise UsageError(f"no {window}-day snapshot for {spec} in the archive ({span})")

    def identify(self, path: Path) -> Entry | None:
        """The archived snapshot a dump file is, when it lies in this dataset.

        Its timestamp cannot say which month it holds: a backfill writes a
        month weeks later. The folder (``archive/YYYY-MM/``) or, for a root
        copy, the identical archived file says it.
        """
        from toppypi.formats import ALIAS_BASENAME, BASENAME

        p = path.resolve()
        root = self.root.resolve()
        name = p.name.replace(ALIAS_BASENAME, BASENAME, 1)
        if p.parent.parent == root / ARCHIVE and month_of(p.parent.name):
            candidates = [p.parent.name]
        elif p.parent == root:
            candidates = self.months()
        else:
            return None
        data = p.read_bytes()
        for e in self.catalog():
            if not (e.monthly and e.label in candidates):
                continue
            if not name.startswith(e.base + ".") or name[len(e.base) + 1 :] not in (
                "json",
                "min.json",
                "csv",
            ):
                continue
            target = e.path / name
            if target.is_file() and (len(candidates) == 1 or target.read_bytes() == data):
                return e
        return None

    def published_files(self) -> list[Path]:
        """The latest dumps, their aliases and everything archived (what SHA256SUMS lists)."""
        from toppypi.formats import BASENAME

        root = self.root
        files = [p for p in root.glob(f"{BASENAME}*") if p.is_file()]
        archive = self.layout.archive
        if archive.is_dir():
            files += [
                p
                for p in archive.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
        return files

    # -- the derived history index ---------------------------------------------------

    def fingerprint(self, entries: Sequence[Entry]) -> str:
        h = hashlib.sha256(b"archive-v1\n")
        for e in entries:
            st = e.rows_file.stat()
            h.update(f"{e.window_days}|{e.label}|{e.base}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        return h.hexdigest()

    def history_index(self, *, rebuild: bool = False) -> Any:
        """``.toppypi/history.duckdb``, rebuilt first when the archive changed since."""
        from toppypi.history import index

        entries = self.catalog()
        fp = self.fingerprint(entries)
        path = self.layout.index
        if not rebuild:
            info = index.stored(path, fp)
            if info is not None:
                return info
        private_dir(self.root)
        items = ((self.header(e), _catalog.rows_table(e)) for e in entries)
        return index.build(path, items, fp)

    # -- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, *, wait: float = 0.0, say: Say = lambda _: None) -> Iterator[Writer]:
        """Hold the dataset's lock, clear a killed run's leftovers, and hand out a writer."""
        if self.root.exists() and not self.root.is_dir():
            raise UsageError(f"{self.root} is a file; a dataset is a folder")
        with hold(self.root, wait=wait):
            if self.root.is_dir():
                sweep(self.root, say)
            yield Writer(self, say)


@dataclass
class ImportReport:
    written: list[str] = field(default_factory=list)  # archive folders, relative
    unchanged: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.written) + len(self.unchanged)


class Writer:
    """Writes into a dataset; exists only while its lock is held."""

    def __init__(self, dataset: Dataset, say: Say) -> None:
        self.dataset = dataset
        self.layout = dataset.layout
        self.root = dataset.root
        self.say = say

    def refuse_released(self, months: Sequence[str], what: str) -> None:
        from toppypi.dataset.releases import refuse_released

        refuse_released(self.root, list(months), what)

    def write_month(
        self,
        month: str,
        files: Mapping[str, bytes],
        *,
        extra: Extra | None = None,
        keep: tuple[str, ...] = (),
        correction: bool = False,
    ) -> list[Path]:
        """Replace ``archive/month/`` with ``files`` (staged, then swapped in whole)."""
        if not correction:
            self.refuse_released([month], f"writing archive/{month}/")
        names = stage_month(self.layout, month, files, keep=keep, extra=extra)
        return [self.layout.month_dir(month) / n for n in names]

    def write_month_file(self, month: str, name: str, data: bytes) -> bool:
        """One file (the release notes) added to a month that is being published."""
        return atomic_write(self.layout.month_dir(month) / name, data)

    def write_files(self, files: Mapping[str, bytes], *, derived: bool = False) -> list[Path]:
        """Files outside ``archive/`` (latest dumps, site, citation): each atomic, unchanged
        bytes left alone. Returns those written.

        ``derived`` files (the site: 30,000 badges) are renamed into place without
        an fsync each, which would cost minutes; a rebuild recreates them from the
        archive, which is written durably.
        """
        for rel in files:
            if rel.split("/", 1)[0] in (ARCHIVE, self.layout.private.name, ".git"):
                raise ValueError(f"{rel} is not written through write_files")
        if derived:
            return write_unsynced(self.root, files)
        written = []
        for rel in sorted(files):
            path = self.root / rel
            if atomic_write(path, files[rel]):
                written.append(path)
        return written

    def remove_files(self, rels: Sequence[str]) -> list[Path]:
        removed = []
        for rel in rels:
            path = self.root / rel
            if path.is_file():
                path.unlink()
                removed.append(path)
        return removed

    def write_datapackage(self) -> bool:
        """``datapackage.json`` for every published file; True when its bytes changed."""
        from toppypi.dataset import datapackage

        ds = self.dataset
        engines = [ds.header(e).source for e in ds.catalog()]
        data = datapackage.render(self.root, ds.published_files(), ds.config(), engines)
        return atomic_write(self.root / datapackage.NAME, data)

    def mark_demo(self) -> None:
        atomic_write(private_dir(self.root) / DEMO_MARKER, b"made by `toppypi demo`\n")

    def import_snapshots(self, items: Sequence[Ranking]) -> ImportReport:
        """File every snapshot under ``archive/``; all or nothing, reruns change nothing.

        A folder that already holds different rows is a conflict: nothing is
        written and the message names it. So is a released month.
        """
        report = ImportReport()
        todo: list[tuple[str, Mapping[str, bytes]]] = []
        for r in sorted(_dedupe(items), key=lambda r: (r.window_days or 0, r.date)):
            rel = _files.snapshot_dir(r)
            same = self._existing_same(rel, r)
            if same:
                report.unchanged.append(rel)
                continue
            if _files.is_calendar_month(r):
                assert r.month is not None
                self.refuse_released([r.month], f"importing {rel}/")
            if same is None:
                todo.append((rel, _files.snapshot_files(r)))
            else:
                raise InputError(
                    f"{r.origin}: {rel} already holds different rows for {r.label} "
                    f"({r.window_days} days); remove that folder to replace it"
                )
        report.written = import_dirs(self.root, todo)
        return report

    def _existing_same(self, rel: str, r: Ranking) -> bool | None:
        """None: nothing there; True: the same rows; False: different rows (a conflict)."""
        from toppypi.formats import BASENAME, DumpFormat, dump_name

        target = self.root / rel
        if _files.is_calendar_month(r):
            path = target / dump_name(DumpFormat.JSON, BASENAME)
            if not path.is_file():
                return None
            return read_dump(path).same_data(r)
        path = target / dump_name(DumpFormat.CSV, BASENAME)
        if not path.is_file():
            return None
        return path.read_bytes() == _files.snapshot_files(r)[dump_name(DumpFormat.CSV)]


def _dedupe(items: Sequence[Ranking]) -> list[Ranking]:
    """One ranking per (window, date); the same snapshot given twice must agree."""
    seen: dict[tuple[int | None, dt.date], Ranking] = {}
    for it in items:
        key = (it.window_days, it.date)
        prev = seen.get(key)
        if prev is None:
            seen[key] = it
        elif prev.projects != it.projects or prev.counts != it.counts:
            raise InputError(
                f"{it.origin}: snapshot {it.date} ({it.window_days} days) "
                f"differs from the same snapshot in {prev.origin}"
            )
    return list(seen.values())


RELEASE_NOTES = RELEASE_FILE
