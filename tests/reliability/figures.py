"""The figures of RELIABILITY.md, computed from what the tests recorded."""

from __future__ import annotations

from typing import Any


def figures(records: list[dict[str, Any]]) -> dict[str, int]:
    bad = [r for r in records if r["kind"] == "bad-input"]
    kills = [r for r in records if r["kind"] == "kill"]
    conc = [r for r in records if r["kind"] == "concurrency"]
    return {
        "bad inputs": len(bad),
        "bad inputs handled": sum(r["passed"] for r in bad),
        "tracebacks": sum(r["traceback"] for r in bad),
        "accepted wrongly": sum(r["accepted"] for r in bad),
        "files damaged": sum(r["damaged"] for r in bad),
        "secrets printed": sum(r["leaked"] for r in bad),
        "wrong exit code": sum(r["wrong_code"] for r in bad),
        "not one error line": sum(r["bad_message"] and not r["traceback"] for r in bad),
        "kills": len(kills),
        "kills landed": sum(r["landed"] for r in kills),
        "kills converged": sum(r["landed"] and r["converged"] for r in kills),
        "kills left for a step by hand": sum(r["landed"] and not r["converged"] for r in kills),
        "  of which converged after the step the error names": sum(
            r["landed"] and r.get("converged_by_hand", False) for r in kills
        ),
        "concurrency cases": len(conc),
        "concurrency cases passed": sum(r["passed"] for r in conc),
    }


def render_table(figs: dict[str, int]) -> str:
    width = max(len(k) for k in figs)
    lines = [f"| {'figure':<{width}} | value |", f"|{'-' * (width + 2)}|------:|"]
    lines += [f"| {k:<{width}} | {v:>5} |" for k, v in figs.items()]
    return "\n".join(lines)
