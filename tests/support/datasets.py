"""Archive hand-made rankings straight into a dataset, the way ``update`` files them."""

from __future__ import annotations

from pathlib import Path

from toppypi.checks import Report
from toppypi.dataset import Dataset
from toppypi.dataset.files import dump_files, month_files
from toppypi.formats import ALIAS_BASENAME, BASENAME, TEXT_FORMATS, dump_name
from toppypi.model.ranking import Ranking


def write_month(ds: Dataset, month: str, ranking: Ranking, report: Report | None = None) -> None:
    """``archive/month/`` (and the latest files when it is the newest), under the lock.

    A ranking without a source is the anchor's: ClickHouse.
    """
    if not ranking.source:
        ranking = ranking.with_methodology(source="ClickHouse")
    checks = report.to_json() if report is not None else None
    with ds.writing() as w:
        w.write_month(month, month_files(ranking, checks=checks))
        if month == max(ds.months(), default=month):
            files = dump_files(ranking, parquet=False)
            latest = {}
            for fmt in TEXT_FORMATS:
                data = files[dump_name(fmt)]
                latest[dump_name(fmt, BASENAME)] = data
                latest[dump_name(fmt, ALIAS_BASENAME)] = data
            w.write_files(latest)


def month_dir(root: Path, month: str) -> Path:
    return root / "archive" / month


def run_update(root: Path, engine: object, period: object, **options: object) -> object:
    """``update`` as the tests call it: a month, no 12-month list unless asked for."""
    from toppypi.engines.interface import Engine
    from toppypi.model.period import Period
    from toppypi.operations.update import UpdateOptions, update

    assert isinstance(engine, Engine) and isinstance(period, Period) and period.month
    options.setdefault("year_list", False)
    options.setdefault("build_site", False)
    return update(Dataset(root), engine, UpdateOptions(period.month, **options))  # type: ignore[arg-type]
