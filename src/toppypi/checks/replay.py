"""Replay the gates over the anchor's real history, month by month.

Each snapshot is checked against the snapshots of the same window before it,
exactly as ``update`` would have. Only the July 2025 bot month (snapshot
2025-08-01) is known bad among the 260; the doubled 2024-08-30 CSV, which the
history does not hold, is rebuilt from the rows of 2024-07-01 and 2024-08-30.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from toppypi.checks import Report
from toppypi.checks.baseline import ranked_of
from toppypi.checks.gates import DEFAULT_THRESHOLDS, Thresholds, run_gates
from toppypi.checks.ranked import Ranked
from toppypi.history.model import HistoricSnapshot
from toppypi.model.snapshot import Snapshot

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


def doubled_csv(first: HistoricSnapshot, second: HistoricSnapshot) -> bytes:
    """The 2024-08-30 publication: two months' rows, each under its own header."""
    from toppypi.history.archive import render_rows

    return render_rows(first) + render_rows(second)


def replay(history_dir: Path, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> ReplayResult:
    from toppypi.formats.readers import parse_dump
    from toppypi.history.importers import read_inputs

    items = sorted(read_inputs([history_dir]), key=lambda h: (h.meta.window_days, h.meta.as_of))
    out = ReplayResult()
    past: dict[int, list[Ranked]] = {}
    by_key = {(h.meta.window_days, h.meta.date): h for h in items}
    keep = thresholds.anomaly.history
    for h in items:
        w = h.meta.window_days
        history = past.setdefault(w, [])
        current = ranked_of(h)
        report = run_gates(h.to_snapshot(), current, history[-keep:], thresholds=thresholds)
        out.runs.append(Replayed(w, h.meta.date, report))
        history.append(current)
    if all(k in by_key for k in DOUBLED):
        first, second = (by_key[k] for k in DOUBLED)
        snap: Snapshot = parse_dump(
            doubled_csv(first, second),
            name="top-pypi-packages-30-days.csv",
            default_last_update=second.meta.last_update,
        )
        before = [
            ranked_of(h)
            for h in items
            if h.meta.window_days == 30 and h.meta.date < second.meta.date
        ]
        out.doubled_csv = run_gates(
            snap,
            ranked_of(HistoricSnapshot.from_snapshot(second.meta, snap)),
            before[-keep:],
            thresholds=thresholds,
        )
    return out
