"""Shares of a ranking's total: what the drift and anomaly gates compare.

Shares are taken over the top 4,000 (the smallest N the anchor ever
published), so a change of N from 5,000 to 8,000 or 15,000 does not move them.
"""

from __future__ import annotations

from toppypi.model.ranking import Ranking

SHARE_BASE = 4000


def base_total(r: Ranking) -> int:
    return sum(r.counts[:SHARE_BASE]) or 1


def per_day_total(r: Ranking, n: int) -> float:
    """Downloads per day of the top ``n``: months of 28 and 31 days compare."""
    return sum(r.counts[:n]) / (r.methodology.query_days or 1)
