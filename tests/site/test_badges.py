"""Rank badges: Shields endpoint JSON, a static SVG, tiers, escaping, and small git churn."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.datasets import write_month
from tests.support.sitedata import HISTORY_NAMES, QUOTES, RLO, XSS, XSS_DEEP, make_history
from tests.support.sites import build
from toppypi.dataset import Dataset
from toppypi.model.ranking import Ranking
from toppypi.site.badges import badge_files, endpoint_json, rank_svg, text_width, tier

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = [XSS, XSS_DEEP, QUOTES, RLO, "a&b", "x]]>y", "nul\x00byte", "\ud800half"]


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)


def test_endpoint_json_is_the_shields_schema() -> None:
    assert json.loads(endpoint_json(15)) == {
        "schemaVersion": 1,
        "label": "PyPI rank",
        "message": "#15",
        "color": "brightgreen",
        "cacheSeconds": 86400,
    }
    assert json.loads(endpoint_json(12_345))["message"] == "#12,345"
    unranked = json.loads(endpoint_json(None))
    assert (unranked["message"], unranked["color"]) == ("unranked", "lightgrey")


@pytest.mark.parametrize(
    ("rank", "colour"),
    [
        (1, "brightgreen"),
        (100, "brightgreen"),
        (101, "green"),
        (1_000, "green"),
        (1_001, "yellowgreen"),
        (5_000, "yellowgreen"),
        (5_001, "blue"),
        (15_000, "blue"),
        (None, "lightgrey"),
    ],
)
def test_colour_by_tier(rank: int | None, colour: str) -> None:
    assert tier(rank)[0] == colour
    assert json.loads(endpoint_json(rank))["color"] == colour


def test_svg_is_a_badge_sized_to_its_text() -> None:
    svg = parse(rank_svg("numpy", 15))
    assert svg.tag == f"{SVG}svg" and svg.get("height") == "20"
    assert svg.get("aria-label") == "PyPI rank: #15"
    assert svg.findtext(f"{SVG}title") == "numpy: #15 by downloads on PyPI"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["PyPI rank", "#15"]
    width = int(svg.get("width") or 0)
    assert width == round(text_width("PyPI rank")) + round(text_width("#15")) + 20 == 94
    wide = parse(rank_svg("numpy", 12_345))
    assert int(wide.get("width") or 0) > width  # more digits, a wider badge
    assert text_width("mmm") > text_width("iii")


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_text_in_the_svg(name: str) -> None:
    raw = rank_svg(name, 3)
    svg = parse(raw)  # well-formed XML whatever the name
    assert [e.tag.removeprefix(SVG) for e in svg.iter()] == [
        "svg", "title", "clipPath", "rect", "g", "rect", "rect", "g", "text", "text",
    ]  # fmt: skip
    title = svg.findtext(f"{SVG}title") or ""
    assert title.endswith(": #3 by downloads on PyPI")
    assert b"<script" not in raw and b"<img" not in raw and b"\xe2\x80\xae" not in raw
    if name == RLO:
        assert title.startswith("evil[U+202E]gnp.exe:")
    if name == QUOTES:
        assert title.startswith(QUOTES)


@given(st.text(max_size=40))
def test_any_name_gives_well_formed_svg(name: str) -> None:
    svg = parse(rank_svg(name, 7))
    assert len(list(svg.iter(f"{SVG}text"))) == 2


def test_badge_files_only_for_project_names() -> None:
    ranked = [("numpy", "numpy", 1), ("../etc/passwd", "../etc/passwd", 2)]
    ranked += [(n, n, 3 + i) for i, n in enumerate(HOSTILE)]
    files = badge_files(ranked, keep={"six", "Bad Name", "numpy"})
    assert sorted(files) == [
        "badges/numpy.json",
        "badges/numpy.svg",
        "badges/six.json",
        "badges/six.svg",
    ]
    assert json.loads(files["badges/six.json"])["message"] == "unranked"
    assert json.loads(files["badges/numpy.json"])["message"] == "#1"


def tree(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "badges").iterdir())}


def test_badges_in_the_build(tmp_path: Path) -> None:
    """Every project of the latest list, none for names no PyPI project can have."""
    make_history(tmp_path)
    build(tmp_path)
    valid = [n for n in HISTORY_NAMES if n.isascii() and n.replace("-", "").isalnum()]
    assert sorted(tree(tmp_path)) == sorted(f"{n}.{ext}" for n in valid for ext in ("json", "svg"))
    assert json.loads((tmp_path / "badges/numpy.json").read_bytes())["message"] == "#1"
    assert json.loads((tmp_path / "badges/pip.json").read_bytes())["message"] == "#9"
    svg = parse((tmp_path / "badges/requests.svg").read_bytes())
    assert svg.findtext(f"{SVG}title") == "requests: #2 by downloads on PyPI"


def test_rewritten_only_when_the_rank_changes(tmp_path: Path) -> None:
    """A new month rewrites the badges whose rank moved; one that left says "unranked"."""
    ds = Dataset(tmp_path)
    t = dt.datetime(2026, 3, 1)
    write_month(ds, "2026-01", Ranking.of([(30, "a"), (20, "b"), (10, "c")], t))
    build(tmp_path)
    before = tree(tmp_path)
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "badges").iterdir()}
    write_month(ds, "2026-02", Ranking.of([(30, "a"), (20, "c"), (10, "d")], t))
    res = build(tmp_path)
    after = tree(tmp_path)
    written = sorted(p.name for p in res.written if p.parent.name == "badges")
    assert written == [
        "b.json", "b.svg", "c.json", "c.svg", "d.json", "d.svg",
    ]  # fmt: skip
    assert after["a.json"] == before["a.json"]  # still #1: not even touched
    assert (tmp_path / "badges/a.svg").stat().st_mtime_ns == mtimes["a.svg"]
    assert json.loads(after["b.json"])["message"] == "unranked"  # left the list, no 404
    assert json.loads(after["c.json"])["message"] == "#2"
    assert build(tmp_path).written == []
