"""Queries run on every engine: fields x filters x periods, over the sample events.

Each case holds a :class:`Query` and whether ClickHouse's ClickPy tables can
answer it. Engines that can must return identical rows; the others must refuse
it before running, naming an engine that can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from toppypi.model.period import Period
from toppypi.model.query import Field, InstallerFilter, Query, parse_where

F = Field
FEB = Period.for_month(2026, 2)
MARCH = Period.for_month(2026, 3)
TEN_DAYS = Period(dt.date(2026, 3, 5), dt.date(2026, 3, 14))
ONE_DAY = Period(dt.date(2026, 3, 31), dt.date(2026, 3, 31))
ACROSS = Period(dt.date(2026, 2, 20), dt.date(2026, 3, 9))
BOTH = Period(FEB.start, MARCH.end)
PIP = InstallerFilter.parse("pip")
NO_MIRRORS = InstallerFilter.parse("no-mirrors")
ALL = InstallerFilter()


@dataclass(frozen=True)
class Case:
    id: str
    query: Query
    clickhouse: bool = True


def _q(period: Period, *dims: Field, **kw: object) -> Query:
    return Query(period, tuple(dims), **kw)  # type: ignore[arg-type]


CASES: list[Case] = [
    # project rankings over every period shape
    Case("project-month", _q(MARCH, F.PROJECT, limit=20)),
    Case("project-feb-pip", _q(FEB, F.PROJECT, installers=PIP, limit=20)),
    Case("project-ten-days", _q(TEN_DAYS, F.PROJECT, limit=25)),
    Case("project-one-day-nomirrors", _q(ONE_DAY, F.PROJECT, installers=NO_MIRRORS, limit=30)),
    Case("project-across-months", _q(ACROSS, F.PROJECT, limit=15)),
    Case("project-both-months-all", _q(BOTH, F.PROJECT, limit=None)),
    # one project, by each ClickPy dimension
    Case("requests-version", _q(MARCH, F.VERSION, project="requests", limit=None)),
    Case("requests-pyversion", _q(MARCH, F.PYVERSION, project="requests", limit=None)),
    Case("boto3-country", _q(TEN_DAYS, F.COUNTRY, project="boto3", limit=None)),
    Case("boto3-system", _q(BOTH, F.SYSTEM, project="boto3", limit=None)),
    Case("urllib3-installer", _q(MARCH, F.INSTALLER, project="urllib3", installers=ALL)),
    Case("certifi-date", _q(ACROSS, F.DATE, project="certifi", limit=None)),
    Case("certifi-month", _q(BOTH, F.MONTH, project="certifi", installers=PIP)),
    Case("packaging-year", _q(BOTH, F.YEAR, project="packaging", limit=None)),
    # every project, by a dimension
    Case("all-country", _q(MARCH, F.COUNTRY, limit=None)),
    Case("all-pyversion", _q(FEB, F.PYVERSION, limit=None)),
    Case("all-country-nomirrors", _q(TEN_DAYS, F.COUNTRY, installers=NO_MIRRORS, limit=None)),
    Case("all-installer", _q(ONE_DAY, F.INSTALLER, limit=None)),
    Case("all-month", _q(BOTH, F.MONTH, limit=None)),
    Case("all-date-pip", _q(TEN_DAYS, F.DATE, installers=PIP, limit=None)),
    # two dimensions
    Case("project-version", _q(ONE_DAY, F.PROJECT, F.VERSION, limit=40)),
    Case("pyversion-country", _q(MARCH, F.PYVERSION, F.COUNTRY, project="boto3", limit=None)),
    Case("system-country", _q(TEN_DAYS, F.SYSTEM, F.COUNTRY, project="requests", limit=None)),
    Case("installer-country", _q(MARCH, F.INSTALLER, F.COUNTRY, project="urllib3", limit=None)),
    Case("country-date", _q(TEN_DAYS, F.COUNTRY, F.DATE, project="setuptools", limit=None)),
    # PEP 440 specifiers, listed then matched with packaging
    Case("spec-exact", _q(MARCH, F.PYVERSION, project="requests", version="==3.8.0", limit=None)),
    Case("spec-wildcard", _q(BOTH, F.VERSION, project="requests", version="==3.*", limit=None)),
    Case("spec-range", _q(MARCH, F.VERSION, project="requests", version=">=3.2,<3.7")),
    Case("spec-compatible", _q(FEB, F.COUNTRY, project="requests", version="~=3.4", limit=None)),
    Case("spec-none-match", _q(MARCH, F.PROJECT, project="requests", version="==99.*")),
    # PEP 440 equality is not string equality: '==3.8' admits the data's '3.8.0'
    Case("spec-exact-short", _q(MARCH, F.COUNTRY, project="requests", version="==3.8")),
    Case("spec-not-equal", _q(TEN_DAYS, F.VERSION, project="requests", version="!=3.8.0")),
    Case(
        "spec-pip-country",
        _q(TEN_DAYS, F.COUNTRY, project="urllib3", version=">=1", installers=PIP),
    ),
    # --where conditions
    Case("where-country-eq", _q(MARCH, F.PROJECT, where=parse_where("country=DE"), limit=25)),
    Case("where-system-ne", _q(MARCH, F.SYSTEM, where=parse_where("system!=Linux"), limit=None)),
    Case("where-pyversion-in", _q(FEB, F.PROJECT, where=parse_where("pyversion IN 3.12,3.13"))),
    Case(
        "where-and-installer",
        _q(TEN_DAYS, F.COUNTRY, where=parse_where("installer=uv AND country IN US,CN,DE")),
    ),
    Case("where-no-value", _q(MARCH, F.PROJECT, where=parse_where("country=ZZ"), limit=5)),
    Case(
        "where-injection",
        _q(MARCH, F.PROJECT, where=parse_where("country=US' OR 1=1 --"), limit=5),
    ),
    Case("order-by-date", _q(ONE_DAY, F.DATE, F.COUNTRY, project="boto3", order=F.DATE)),
    Case("order-by-country", _q(MARCH, F.COUNTRY, F.SYSTEM, order=F.COUNTRY, limit=50)),
    # no group: one total row (and no row at all when nothing matched)
    Case("total-month", _q(MARCH, limit=None)),
    Case("total-days-pip", _q(ACROSS, installers=PIP, project="boto3")),
    Case("total-spec", _q(BOTH, project="requests", version=">=3.2,<3.7")),
    Case("where-date-last-day", _q(MARCH, F.PROJECT, where=parse_where("date=2026-03-31"))),
    Case("limit-one", _q(FEB, F.PROJECT, F.VERSION, limit=1)),
    # beyond ClickPy: refused on ClickHouse, answered by DuckDB
    Case("ci", _q(MARCH, F.CI, project="requests"), clickhouse=False),
    Case("cpu", _q(MARCH, F.CPU), clickhouse=False),
    Case("openssl", _q(MARCH, F.OPENSSL, project="boto3"), clickhouse=False),
    Case("file", _q(MARCH, F.FILE, project="boto3", limit=5), clickhouse=False),
    Case("percent3", _q(MARCH, F.PROJECT, F.PERCENT3, limit=5), clickhouse=False),
    Case("where-distro", _q(MARCH, F.PROJECT, where=parse_where("distro=x")), clickhouse=False),
    Case("pyversion-system", _q(MARCH, F.PYVERSION, F.SYSTEM, project="boto3"), clickhouse=False),
    Case("pyversion-installer", _q(MARCH, F.PYVERSION, installers=PIP), clickhouse=False),
    Case("system-installer", _q(MARCH, F.SYSTEM, F.INSTALLER), clickhouse=False),
]
