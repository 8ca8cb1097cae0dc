"""The bad-input cases of the commands that fail on today's code, by cause, and how.

This is the to-do list: a fix makes its cases pass, and their strict expected-failure
markers then fail the suite until the lines below are deleted. The dump readers'
list is in cases_dumps.py.
"""

from __future__ import annotations

from dataclasses import replace

from tests.reliability.cases_commands import OTHER_CASES
from tests.reliability.cases_release import RELEASE_CASES
from tests.reliability.harness import Case

# Empty since the fixes of issue 11 (RELIABILITY.md lists what each case did before):
# case id -> what goes wrong, one line.
TODAY: dict[str, str] = {}

COMMAND_CASES: list[Case] = [
    replace(c, xfail=TODAY.get(c.id)) for c in (*RELEASE_CASES, *OTHER_CASES)
]
assert set(TODAY) <= {c.id for c in COMMAND_CASES}, set(TODAY) - {c.id for c in COMMAND_CASES}
