"""Run the reliability suite and print the figures of RELIABILITY.md, as Markdown.

    uv run python tests/reliability/report.py              # runs the suite (a few minutes)
    uv run python tests/reliability/report.py --from F     # from a saved run's JSON

The suite records what each case observed before asserting (conftest.py), so the
figures describe the code as it is, expected failures included.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.reliability.figures import figures, render_table  # noqa: E402


def run_suite(out: Path) -> int:
    env = {**os.environ, "TOPPYPI_RELIABILITY_JSON": str(out)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "reliability", "-p", "no:cacheprovider"]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def cause(problems: str) -> str:
    first = problems.split(" | ")[0]
    for key in ("traceback", "exit 0: accepted", "printed the secret", "changed", "message"):
        if first.startswith(key):
            return {"exit 0: accepted": "accepted wrongly"}.get(key, key)
    return first.split(":")[0]


def render(data: dict[str, Any]) -> str:
    records: list[dict[str, Any]] = data["records"]
    lines = [render_table(figures(records)), ""]
    bad = [r for r in records if r["kind"] == "bad-input" and not r["passed"]]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in bad:
        groups[cause(r["problems"])].append(r)
    for name, rows in sorted(groups.items()):
        lines.append(f"### {name} ({len(rows)})")
        lines += [f"- `{r['id']}`: {r['problems'][:200]}" for r in rows]
        lines.append("")
    kills = [r for r in records if r["kind"] == "kill"]
    by_trigger: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in kills:
        t = by_trigger[r["trigger"]]
        t[0] += 1
        t[1] += r["landed"]
        t[2] += r["landed"] and r["converged"]
        t[3] += r["landed"] and r.get("converged_by_hand", False)
    if kills:
        lines += [
            "| trigger | kills | landed | converged | converged after the step the error names |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {k} | {a} | {b} | {c} | {d} |" for k, (a, b, c, d) in sorted(by_trigger.items())
        ]
        lines.append("")
        stuck = [r for r in kills if r["landed"] and not r["converged"]]
        lines += [
            f"- `{r['id']}`: reruns {r['reruns']}, left {r['leftovers']}; "
            f"{r.get('hand_step') or 'no file named'}: {r['said'][:160]}"
            for r in stuck
        ]
    conc = [r for r in records if r["kind"] == "concurrency"]
    lines += ["", *(f"- concurrency `{r['id']}`: {r['problems'] or 'ok'}" for r in conc)]
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help="a saved run's JSON")
    args = ap.parse_args()
    if args.source is not None:
        data = json.loads(args.source.read_text())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "reliability.json"
            code = run_suite(out)
            if not out.is_file():
                print(f"the suite recorded nothing (pytest exit {code})", file=sys.stderr)
                return code or 1
            data = json.loads(out.read_text())
    sys.stdout.write(render(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
