"""The cost guard: every query is priced by a dry run and refused before it runs
if it would break the per-query cap or what is left of the month's budget.

BigQuery bills on-demand queries by bytes processed, rounded up to the next MiB
with a 10 MiB minimum per table referenced, at a price per TiB (6.25 USD since
2023; pypinfo still assumes 5). The free tier is 1 TiB a month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toppypi.errors import ToppypiError, UsageError

MIB = 1024**2
GIB = 1024**3
TIB = 1024**4
MIN_BILLED = 10 * MIB
DEFAULT_BUDGET = TIB
DEFAULT_PRICE_PER_TIB = 6.25


class CostRefused(ToppypiError):
    """The dry run says the query would cost more than the user allowed; nothing ran."""

    exit_code = 8  # distinct from a failed push (5) in `update --publish`


def human_bytes(n: int) -> str:
    """Binary units, as BigQuery's console and bills show them."""
    for unit, size in (("TiB", TIB), ("GiB", GIB), ("MiB", MIB)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n} B"


def parse_bytes(text: str) -> int:
    """``1000000``, ``500MiB``, ``2GiB``, ``1TiB``, ``1.5TB`` (decimal units too)."""
    s = text.strip().replace(" ", "").replace("_", "")
    units = {
        "": 1, "B": 1,
        "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
        "KIB": 1024, "MIB": MIB, "GIB": GIB, "TIB": TIB,
    }  # fmt: skip
    num = s.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    unit = s[len(num) :].upper()
    try:
        value = float(num)
    except ValueError:
        value = -1.0
    if unit not in units or value < 0 or not math.isfinite(value):
        raise UsageError(f"cannot read {text!r} as a size; use bytes or e.g. 500MiB, 2GiB, 1TiB")
    return int(value * units[unit])


def billed_bytes(processed: int) -> int:
    """What BigQuery bills for ``processed`` bytes: whole MiB, at least 10 MiB (0 stays 0)."""
    if processed <= 0:
        return 0
    return max(MIN_BILLED, -(-processed // MIB) * MIB)


@dataclass(frozen=True)
class CostPolicy:
    """The user's limits: a per-query cap, a monthly budget, and the price."""

    max_bytes: int | None = None  # None: what is left of the monthly budget
    budget: int = DEFAULT_BUDGET
    price_per_tib: float = DEFAULT_PRICE_PER_TIB

    def __post_init__(self) -> None:
        if self.max_bytes is not None and self.max_bytes < 0:
            raise UsageError("--max-bytes must be 0 or more")
        if self.budget < 0:
            raise UsageError("--budget must be 0 or more")
        if self.price_per_tib < 0 or not math.isfinite(self.price_per_tib):
            raise UsageError("--price-per-tib must be 0 or more")

    def cost(self, nbytes: int) -> float:
        return nbytes / TIB * self.price_per_tib


@dataclass(frozen=True)
class Approval:
    """A dry run that passed: its estimate and the cap the real job must carry."""

    estimate: int  # bytes the dry run says would be processed
    billed: int  # what that estimate would be billed
    cost: float  # of ``billed``, at the policy's price
    maximum_bytes_billed: int  # set on the real job: BigQuery fails it rather than exceed
    remaining: int  # of the month's budget, before this query
    month: str


def approve(
    estimate: int, policy: CostPolicy, spent: int, month: str, *, scope: str = ""
) -> Approval:
    """Refuse (raise :class:`CostRefused`) unless the estimate fits both limits.

    ``scope`` says what the query covers when that explains its size
    (", for 12 months: about 12x a month's bytes").
    """
    billed = billed_bytes(estimate)
    cost = policy.cost(billed)
    remaining = max(policy.budget - spent, 0)
    cap = remaining if policy.max_bytes is None else min(policy.max_bytes, remaining)
    what = (
        f"the dry run estimates {human_bytes(estimate)} ({estimate:,} bytes, "
        f"{human_bytes(billed)} billed, ${cost:.2f} at ${policy.price_per_tib:g}/TiB){scope}"
    )
    if policy.max_bytes is not None and billed > policy.max_bytes:
        raise CostRefused(
            f"refused before running: {what}, over --max-bytes {human_bytes(policy.max_bytes)}; "
            "narrow the period or raise --max-bytes"
        )
    if billed > remaining:
        raise CostRefused(
            f"refused before running: {what}, over the {human_bytes(remaining)} left of the "
            f"{human_bytes(policy.budget)} budget for {month} ({human_bytes(spent)} used); "
            "raise --budget or wait for next month"
        )
    return Approval(estimate, billed, cost, max(cap, MIN_BILLED), remaining, month)
