"""Quality gates: no bad month is published.

Each check returns :class:`Finding` items; a failing finding stops ``update``
unless it is forced, and every finding is kept in the release notes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    findings: list[Finding]

    @property
    def passed(self) -> bool:
        return not any(f.severity is Severity.FAIL for f in self.findings)

    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.FAIL]

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "findings": [f.to_json() for f in self.findings]}

    def summary(self) -> str:
        bad = self.failures()
        if not bad:
            warned = sum(1 for f in self.findings if f.severity is Severity.WARN)
            if warned:
                return f"passed with {warned} warning{'s' if warned > 1 else ''}"
            return "all checks passed"
        return "; ".join(f"{f.check}: {f.message}" for f in bad)
