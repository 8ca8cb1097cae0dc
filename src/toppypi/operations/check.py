"""``check``: the gates on one dump, against a dataset or a dump; or replayed over a history.

A dump that is not one well-formed ranking (truncated, duplicated, two dumps in
one file) is refused by its reader; ``check`` reports that as a failed
structure gate, so scripts see exit 4 for every bad dump.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from toppypi.checks import Finding, Report, Severity
from toppypi.checks.completeness import check_coverage
from toppypi.checks.gates import DEFAULT_THRESHOLDS, Thresholds, run_gates
from toppypi.dataset import Dataset
from toppypi.errors import InvalidDump, UsageError
from toppypi.formats.decode import read_dump
from toppypi.history.importers import read_inputs, with_methodology
from toppypi.model.ranking import Ranking


@dataclass(frozen=True)
class CheckOptions:
    against: Path | None = None  # a dataset folder or one earlier dump
    expected_rows: int | None = None
    window: int | None = None  # the file's window; default: from its name
    date: dt.date | None = None  # the snapshot day of a dump without a timestamp
    thresholds: Thresholds = DEFAULT_THRESHOLDS


def baseline_dataset(folder: Path) -> Dataset:
    """``--against`` a folder: a dataset, never any folder (a typo would pass every gate)."""
    ds = Dataset(folder)
    if not ds.exists():
        raise UsageError(
            f"--against {folder} is not a dataset (no archive/ or toppypi.toml there); "
            "give a dataset folder or one earlier dump"
        )
    return ds


def read_checked(path: Path, options: CheckOptions) -> Ranking:
    """A dump with the methodology its dataset or the published timeline gives it."""
    default = dt.datetime.combine(options.date, dt.time()) if options.date else None
    r = read_dump(path, default_last_update=default)
    if options.against is not None and options.against.is_dir():
        ds = baseline_dataset(options.against)
        entry = ds.identify(path)
        if entry is not None:  # a month of that dataset: checked as that month
            archived = ds.header(entry)
            return r.replace(period=archived.period, methodology=archived.methodology)
    return with_methodology(r, window=options.window, name=str(path))


def check_file(path: Path, options: CheckOptions = CheckOptions()) -> Report:
    """Every gate on one dump, against a dataset or a dump file."""
    try:
        r = read_checked(path, options)
    except InvalidDump as exc:
        return Report([Finding("structure", Severity.FAIL, str(exc).removeprefix(f"{path}: "))])
    history: list[Ranking] = []
    against = options.against
    if against is not None:
        if against.is_dir():
            history = baseline_dataset(against).history_before(
                r.as_of, r.window_days or 30, options.thresholds.anomaly.history
            )
        else:
            history = [with_methodology(read_dump(against), name=str(against))]
    return run_gates(
        r,
        history,
        expected_rows=options.expected_rows,
        thresholds=options.thresholds,
        completeness=check_coverage(r, options.expected_rows),
    )


# --- the replay over the anchor's real history ---------------------------------------

KNOWN_BAD = {(30, dt.date(2025, 8, 1))}
DOUBLED = ((30, dt.date(2024, 7, 1)), (30, dt.date(2024, 8, 30)))


@dataclass
class Replayed:
    window_days: int
    date: dt.date
    report: Report

    @property
    def known_bad(self) -> bool:
        return (self.window_days, self.date) in KNOWN_BAD


@dataclass
class ReplayResult:
    runs: list[Replayed] = field(default_factory=list)
    doubled_csv: Report | None = None

    @property
    def flagged(self) -> list[Replayed]:
        return [r for r in self.runs if not r.report.passed]

    def figures(self) -> dict[str, float | int]:
        tp = sum(1 for r in self.flagged if r.known_bad)
        fp = len(self.flagged) - tp
        bad = sum(1 for r in self.runs if r.known_bad)
        good = len(self.runs) - bad
        return {
            "snapshots": len(self.runs),
            "known_bad": bad,
            "flagged": len(self.flagged),
            "true_positives": tp,
            "false_positives": fp,
            "precision": tp / len(self.flagged) if self.flagged else 1.0,
            "recall": tp / bad if bad else 1.0,
            "false_positive_rate": fp / good if good else 0.0,
            "passed_others": (good - fp) / good if good else 1.0,
            "doubled_csv_flagged": int(
                self.doubled_csv is not None and not self.doubled_csv.passed
            ),
        }


def doubled_csv(first: Ranking, second: Ranking) -> bytes:
    """The 2024-08-30 publication: two months' rows, each under its own header."""
    from toppypi.formats import DumpFormat
    from toppypi.formats.encode import encode

    return encode(first, DumpFormat.CSV) + encode(second, DumpFormat.CSV)


def replay(history_dir: Path, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ReplayResult:
    """Each snapshot checked against the snapshots of its window before it, as ``update`` would.

    Only the July 2025 bot month (snapshot 2025-08-01) is known bad among the
    260; the doubled 2024-08-30 CSV, which the history does not hold, is
    rebuilt from the rows of 2024-07-01 and 2024-08-30.
    """
    from toppypi.formats.decode import parse_dump

    items = sorted(read_inputs([history_dir]), key=lambda r: (r.window_days or 0, r.as_of))
    out = ReplayResult()
    past: dict[int, list[Ranking]] = {}
    by_key = {(r.window_days, r.date): r for r in items}
    keep = thresholds.anomaly.history
    for r in items:
        w = r.window_days or 30
        history = past.setdefault(w, [])
        report = run_gates(r, history[-keep:], thresholds=thresholds)
        out.runs.append(Replayed(w, r.date, report))
        history.append(r)
    if all(k in by_key for k in DOUBLED):
        first, second = (by_key[k] for k in DOUBLED)
        try:
            parse_dump(
                doubled_csv(first, second),
                name="top-pypi-packages-30-days.csv",
                default_last_update=second.last_update,
            )
            out.doubled_csv = Report([Finding("structure", Severity.OK, "read as one ranking")])
        except InvalidDump as exc:
            out.doubled_csv = Report([Finding("structure", Severity.FAIL, str(exc))])
    return out
