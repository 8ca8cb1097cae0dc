from __future__ import annotations

import datetime as dt

from toppypi.model.query import parse_specifier
from toppypi.model.ranking import Ranking
from toppypi.model.versions import matching_versions
from toppypi.movers import compare


def snap(*names: str) -> Ranking:
    n = len(names)
    return Ranking.of([(100 * (n - i), p) for i, p in enumerate(names)], dt.datetime(2026, 1, 1))


def test_compare() -> None:
    m = compare(snap("a", "b", "c", "d"), snap("c", "a", "e", "b"))
    assert [x.project for x in m.new] == ["e"]
    assert [x.project for x in m.dropped] == ["d"]
    assert [(x.project, x.rank_change) for x in m.climbers] == [("c", 2)]
    assert [(x.project, x.rank_change) for x in m.fallers] == [("b", -2), ("a", -1)]
    assert m.by_project["a"].percent_change == -25.0


def test_versions() -> None:
    vs = ["1.0", "1.4.2", "1.5", "2.0", "2.1rc1", "3.0", "garbage", None]
    assert matching_versions(vs, parse_specifier("~=1.4")) == ["1.4.2", "1.5"]
    assert matching_versions(vs, parse_specifier(">=2,<3")) == ["2.0", "2.1rc1"]
    assert matching_versions(vs, parse_specifier("==1.*")) == ["1.0", "1.4.2", "1.5"]
    assert matching_versions(
        ["2", "2.0", "2.0.0", "2.0+local", "2.0rc1"], parse_specifier("==2.0")
    ) == ["2", "2.0", "2.0+local", "2.0.0"]
