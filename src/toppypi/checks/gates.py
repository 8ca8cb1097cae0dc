"""All the gates in one call: completeness, structure, drift, anomaly.

Used by ``update`` before anything is written, by ``toppypi check`` and by the
replay over the real history. Known methodology changes (window length,
installer set, engine, documented upstream steps) are reported as such: drift
across them warns instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from toppypi.checks import Finding, Report, Severity
from toppypi.checks.anomaly import AnomalyLimits, check_anomaly
from toppypi.checks.drift import DriftLimits, check_drift
from toppypi.checks.structure import check_structure
from toppypi.model.ranking import Ranking


@dataclass(frozen=True)
class Thresholds:
    drift: DriftLimits = field(default_factory=DriftLimits)
    anomaly: AnomalyLimits = field(default_factory=AnomalyLimits)


DEFAULT_THRESHOLDS = Thresholds()


def run_gates(
    current: Ranking,
    history: Sequence[Ranking],
    *,
    expected_rows: int | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    completeness: Sequence[Finding] = (),
) -> Report:
    """``history`` is the same window's past snapshots, oldest first; the last is the baseline."""
    findings = list(completeness)
    findings += check_structure(current, expected_rows)
    if not history:
        findings.append(Finding("drift", Severity.OK, "no previous snapshot to compare with"))
        return Report(findings)
    prev = history[-1]
    changes = current.methodology.changes_since(prev.methodology)
    if changes:
        findings.append(
            Finding(
                "methodology",
                Severity.WARN,
                f"not comparable with {prev.label or 'the baseline'} as is: " + "; ".join(changes),
            )
        )
    findings += check_drift(current, prev, changes, thresholds.drift)
    findings += check_anomaly(current, history, thresholds.anomaly)
    return Report(findings)
