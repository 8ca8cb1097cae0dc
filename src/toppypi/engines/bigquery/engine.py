"""The BigQuery engine: ``bigquery-public-data.pypi.file_downloads`` behind a cost guard.

Every statement is dry-run, priced and approved by :mod:`guard` before a job
is started; the job carries ``maximum_bytes_billed`` so BigQuery itself fails
it rather than bill past the cap, and what it billed goes into the ledger.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toppypi.engines.bigquery import sql as bqsql
from toppypi.engines.bigquery.capabilities import CAPABILITIES
from toppypi.engines.bigquery.client import BigQueryClient, Job, connect
from toppypi.engines.bigquery.guard import (
    Approval,
    CostPolicy,
    approve,
    billed_bytes,
    parse_bytes,
)
from toppypi.engines.bigquery.ledger import Ledger, month_of
from toppypi.engines.interface import Estimate
from toppypi.errors import UsageError
from toppypi.model.query import Query
from toppypi.model.result import Provenance, Result, Value
from toppypi.model.versions import matching_versions


@dataclass(frozen=True)
class BigQueryEstimate(Estimate):
    """A dry run's price, and the limits it was checked against."""

    bytes_billed: int = 0
    maximum_bytes_billed: int = 0
    remaining_budget: int = 0
    budget: int = 0
    month: str = ""
    price_per_tib: float = 0.0
    statements: int = 1


@dataclass
class _Run:
    jobs: list[Job] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)


class BigQueryEngine:
    name = "bigquery"
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

    # SQL ------------------------------------------------------------------

    def statement(self, query: Query, versions: list[str] | None = None) -> bqsql.Statement:
        self.capabilities.check(query)
        return bqsql.build(query, versions, self.table)

    def stream(
        self, query: Query, *, batch_rows: int = 50_000
    ) -> Iterator[list[tuple[Value, ...]]]:
        """``run``'s rows in batches (BigQuery's result pages are already fetched)."""
        rows = self.run(query).rows
        for i in range(0, len(rows), batch_rows):
            yield rows[i : i + batch_rows]

    def sql(self, query: Query) -> str:
        """The SQL with its parameters as comments; a version list is shown as pending."""
        parts = []
        if bqsql.needs_version_list(query):
            parts.append(bqsql.versions_statement(query, self.table).display())
        parts.append(self.statement(query).display())
        return "\n\n".join(parts)

    # pricing --------------------------------------------------------------

    def estimate(self, query: Query) -> BigQueryEstimate:
        """Dry-run every statement the query needs; raise ``CostRefused`` if over a limit."""
        statements = self._statements(query)
        month = month_of(self._clock())
        ok = self._approve_all(statements, month)
        return BigQueryEstimate(
            bytes_processed=ok.estimate,
            estimated_cost=ok.cost,
            bytes_billed=ok.billed,
            maximum_bytes_billed=ok.maximum_bytes_billed,
            remaining_budget=ok.remaining,
            budget=self.policy.budget,
            month=month,
            price_per_tib=self.policy.price_per_tib,
            statements=len(statements),
        )

    def _statements(self, query: Query) -> list[bqsql.Statement]:
        """Every statement ``run`` starts; a version list is priced as empty (same bytes)."""
        statements = [self.statement(query, [] if bqsql.needs_version_list(query) else None)]
        if bqsql.needs_version_list(query):
            statements.insert(0, bqsql.versions_statement(query, self.table))
        return statements

    def _approve_all(self, statements: list[bqsql.Statement], month: str) -> Approval:
        """Dry-run every statement; approve their sum, each job billed on its own."""
        processed = [self.client.dry_run(st) for st in statements]
        billed = sum(billed_bytes(p) for p in processed)
        return approve(sum(processed), self.policy, self.ledger.spent(month), month, billed=billed)

    def _guarded(self, st: bqsql.Statement, run: _Run) -> Job:
        """Dry run, approve, run capped, record: the only way a job is started."""
        month = month_of(self._clock())
        estimate = self.client.dry_run(st)
        ok, held = self.ledger.approve_and_reserve(
            month, lambda spent: approve(estimate, self.policy, spent, month)
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
        run.jobs.append(job)
        run.approvals.append(ok)
        return job

    # running --------------------------------------------------------------

    def run(self, query: Query) -> Result:
        self.capabilities.check(query)
        t0 = time.perf_counter()
        run = _Run()
        versions = None
        spec = query.specifier
        if spec is not None and bqsql.needs_version_list(query):
            # Both jobs are priced before the first starts: a refusal bills nothing.
            self._approve_all(self._statements(query), month_of(self._clock()))
            listing = self._guarded(bqsql.versions_statement(query, self.table), run)
            versions = matching_versions((str(r[0]) if r[0] else None for r in listing.rows), spec)
        st = self.statement(query, versions)
        job = self._guarded(st, run)
        rows: list[tuple[Value, ...]] = job.rows
        billed = sum(j.bytes_billed for j in run.jobs)
        prov = Provenance(
            engine=self.name,
            sql=st.display(),
            elapsed=time.perf_counter() - t0,
            bytes_processed=sum(j.bytes_processed for j in run.jobs),
            bytes_billed=billed,
            estimated_cost=self.policy.cost(billed),
            cached=all(j.cached for j in run.jobs),
            extra={
                "jobs": [j.job_id for j in run.jobs],
                "maximum_bytes_billed": [a.maximum_bytes_billed for a in run.approvals],
            },
        )
        columns = st.columns
        if columns and columns[-1].name == "_rows_before_limit":
            first = rows[0][-1] if rows else 0
            prov.rows_before_limit = int(first) if isinstance(first, int) else 0
            rows = [r[:-1] for r in rows]
            columns = columns[:-1]
        return Result(columns=columns, rows=rows, provenance=prov)

    def freshness(self) -> dt.date | None:
        """The day before the table last changed: its newest complete day (a free call)."""
        modified = self.client.table_modified(self.table)
        return None if modified is None else modified.astimezone(dt.UTC).date() - dt.timedelta(1)


def _size(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return parse_bytes(str(value))


# A project id (a-z, 0-9, hyphens), optionally domain-scoped: it reaches Google's
# REST paths, so nothing else (no '/', '?', '#', quotes or spaces) gets that far.
PROJECT_ID = re.compile(r"^(?:[a-z0-9][a-z0-9.-]{0,62}:)?[a-z][a-z0-9-]{0,29}$")


def open_engine(
    spec: str,
    *,
    db: str | Path | None = None,
    credentials: str | Path | None = None,
    max_bytes: int | str | None = None,
    budget: int | str | None = None,
    price_per_tib: float | str | None = None,
    ledger: str | Path | None = None,
    client: BigQueryClient | None = None,
    table: str | None = None,
    on_estimate: Callable[[Approval], None] | None = None,
    **_: Any,
) -> BigQueryEngine:
    """``bigquery`` or ``bigquery:PROJECT``; sizes may be given as ``500GiB`` or ``1TiB``."""
    project = spec.partition(":")[2].strip() or None
    if project is not None and not PROJECT_ID.match(project):
        raise UsageError(
            f"{project!r} is not a Google Cloud project id (lowercase letters, digits and "
            "hyphens, optionally after 'domain:'); use --source bigquery:PROJECT"
        )
    kw: dict[str, Any] = {}
    if max_bytes is not None:
        kw["max_bytes"] = _size(max_bytes)
    if budget is not None:
        kw["budget"] = _size(budget)
    if price_per_tib is not None:
        kw["price_per_tib"] = float(price_per_tib)
    return BigQueryEngine(
        project,
        credentials=credentials,
        policy=CostPolicy(**kw),
        ledger=Ledger(Path(ledger)) if ledger else None,
        client=client,
        table=table or bqsql.TABLE,
        on_estimate=on_estimate,
    )
