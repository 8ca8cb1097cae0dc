"""The BigQuery engine: ``bigquery-public-data.pypi.file_downloads`` behind a cost guard.

Every statement is dry-run, priced and approved by :mod:`guard` before a job
is started; the job carries ``maximum_bytes_billed`` so BigQuery itself fails
it rather than bill past the cap, and what it billed goes into the ledger.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toppypi.engines.bigquery import sql as bqsql
from toppypi.engines.bigquery.capabilities import CAPABILITIES
from toppypi.engines.bigquery.client import BigQueryClient, connect
from toppypi.engines.bigquery.guard import Approval, CostPolicy, approve
from toppypi.engines.bigquery.ledger import Ledger, month_of
from toppypi.engines.compiler import Statement, output_columns
from toppypi.engines.interface import Engine, Estimate
from toppypi.engines.options import BigQueryOptions
from toppypi.errors import UsageError
from toppypi.model.query import Query
from toppypi.model.result import Provenance, Result


@dataclass(frozen=True)
class BigQueryEstimate(Estimate):
    """A dry run's price, and the limits it was checked against."""

    bytes_billed: int = 0
    maximum_bytes_billed: int = 0
    remaining_budget: int = 0
    budget: int = 0
    month: str = ""
    price_per_tib: float = 0.0


class BigQueryEngine(Engine):
    capabilities = CAPABILITIES

    def __init__(
        self,
        project: str | None = None,
        *,
        credentials: str | Path | None = None,
        policy: CostPolicy | None = None,
        ledger: Ledger | None = None,
        client: BigQueryClient | None = None,
        table: str = bqsql.TABLE,
        clock: Callable[[], dt.datetime] | None = None,
        on_estimate: Callable[[Approval], None] | None = None,
    ) -> None:
        self.project = project
        self.credentials = credentials
        self.policy = policy or CostPolicy()
        self.ledger = ledger or Ledger()
        self.table = table
        self._client = client
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._fresh: tuple[dt.date | None] | None = None
        self.on_estimate = on_estimate  # told each approved estimate, before its job starts

    @property
    def client(self) -> BigQueryClient:
        """Connected on first use, so ``--test`` needs no credentials and no network."""
        if self._client is None:
            self._client = connect(self.project, self.credentials)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    @property
    def endpoint(self) -> str:
        payer = self.project or "the credentials' project"
        return f"{self.table} (billed to {payer})"

    # SQL ------------------------------------------------------------------

    def statement(self, query: Query) -> Statement:
        self.check(query)
        return bqsql.build(query, self.table)

    def sql(self, query: Query) -> str:
        """The SQL with its parameters as comments."""
        return bqsql.display(self.statement(query))

    # pricing --------------------------------------------------------------

    def estimate(self, query: Query) -> BigQueryEstimate:
        """Dry-run the statement; raise ``CostRefused`` if it is over a limit."""
        st = self.statement(query)
        month = month_of(self._clock())
        ok = approve(
            self.client.dry_run(st), self.policy, self.ledger.spent(month), month,
            scope=_scope(query),
        )  # fmt: skip
        return BigQueryEstimate(
            bytes_processed=ok.estimate,
            estimated_cost=ok.cost,
            bytes_billed=ok.billed,
            maximum_bytes_billed=ok.maximum_bytes_billed,
            remaining_budget=ok.remaining,
            budget=self.policy.budget,
            month=month,
            price_per_tib=self.policy.price_per_tib,
        )

    # running --------------------------------------------------------------

    def run(self, query: Query) -> Result:
        """Dry run, approve, run capped, record: the only way a job is started."""
        st = self.statement(query)
        t0 = time.perf_counter()
        month = month_of(self._clock())
        estimate = self.client.dry_run(st)
        ok, held = self.ledger.approve_and_reserve(
            month, lambda spent: approve(estimate, self.policy, spent, month, scope=_scope(query))
        )
        try:
            if self.on_estimate is not None:
                self.on_estimate(ok)
            job = self.client.run(st, maximum_bytes_billed=ok.maximum_bytes_billed)
        except BaseException:
            self.ledger.release(held)
            raise
        self.ledger.record(
            job.bytes_billed, job.bytes_processed, cached=job.cached, month=month, reservation=held
        )
        done = st.finish(job.rows)
        prov = Provenance(
            engine=self.name,
            endpoint=self.endpoint,
            sql=bqsql.display(st),
            elapsed=time.perf_counter() - t0,
            bytes_processed=job.bytes_processed,
            bytes_billed=job.bytes_billed,
            estimated_cost=self.policy.cost(job.bytes_billed),
            cached=job.cached,
            rows_before_limit=done.rows_before_limit,
            freshness=self.freshness(),
            extra={"job": job.job_id, "maximum_bytes_billed": ok.maximum_bytes_billed},
        )
        return Result(columns=output_columns(query), rows=done.rows, provenance=prov)

    def freshness(self) -> dt.date | None:
        """The day before the table last changed: its newest complete day (a free call)."""
        if self._fresh is None:
            modified = self.client.table_modified(self.table)
            day = None if modified is None else modified.astimezone(dt.UTC).date()
            self._fresh = (None if day is None else day - dt.timedelta(1),)
        return self._fresh[0]


def _scope(query: Query) -> str:
    """What a period of several months costs, said in the refusal."""
    n = len(query.period.months())
    return f", for a period of {n} months: about {n}x a month's bytes" if n > 1 else ""


# A project id (a-z, 0-9, hyphens), optionally domain-scoped: it reaches Google's
# REST paths, so nothing else (no '/', '?', '#', quotes or spaces) gets that far.
PROJECT_ID = re.compile(r"^(?:[a-z0-9][a-z0-9.-]{0,62}:)?[a-z][a-z0-9-]{0,29}$")


def open_engine(
    spec: str,
    options: BigQueryOptions | None = None,
    *,
    on_estimate: Callable[[Approval], None] | None = None,
    **_: Any,
) -> BigQueryEngine:
    """``bigquery`` or ``bigquery:PROJECT``, with the credentials and limits of ``options``."""
    project = spec.strip().partition(":")[2].strip() or None
    if project is not None and not PROJECT_ID.match(project):
        raise UsageError(
            f"{project!r} is not a Google Cloud project id (lowercase letters, digits and "
            "hyphens, optionally after 'domain:'); use --source bigquery:PROJECT"
        )
    opts = options or BigQueryOptions()
    limits: dict[str, Any] = {
        "max_bytes": opts.max_bytes,
        "budget": opts.budget,
        "price_per_tib": opts.price_per_tib,
    }
    return BigQueryEngine(
        project,
        credentials=opts.credentials,
        policy=CostPolicy(**{k: v for k, v in limits.items() if v is not None}),
        ledger=Ledger(opts.ledger) if opts.ledger else None,
        on_estimate=on_estimate,
    )
