"""Targets classified in bulk (SQL and each version once) agree with ``classify_target``."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.logs.test_files import FILES, names, versions
from toppypi.logs import targets
from toppypi.logs.files import classify_target

PREFIXES = ("/repository/", "/x'y/")
LAYOUT_DIRS = [
    "/packages/",
    "/pypi/packages/",
    "/root/pypi/+f/0a1/23456789abcdef/",
    "/packages/0a/1b/0123456789abcdef/",
    "/packages/source/f/foo/",
    "/repository/pypi-proxy/packages/foo/1.0/",
    "/x'y/",
    "/downloads/",
    "/simple/foo/",
    "https://mirror.example/packages/",
    "",
]


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect()
    yield c
    c.close()


def _bulk(con: duckdb.DuckDBPyConnection, texts: list[str], prefixes: tuple[str, ...]) -> dict:
    con.execute("CREATE OR REPLACE TEMP TABLE t (th UBIGINT, target VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(dict.fromkeys(texts))))
    targets.classify(con, "t", "out", prefixes)
    rows = con.execute(f"SELECT {', '.join(targets.COLUMNS)} FROM out").fetchall()
    return {r[1]: r[2:] for r in rows}


def _expected(target: str, prefixes: tuple[str, ...]) -> tuple[object, ...]:
    t = classify_target(target, prefixes)
    f = t.file
    kind = "not_file" if f is None else ("layout" if t.layout is None else "download")
    fields = (f.filename, f.project, f.version, f.type) if f else (None,) * 4
    return (kind, t.layout if f else None, *fields)


def _agree(con: duckdb.DuckDBPyConnection, texts: list[str]) -> None:
    for prefixes in ((), PREFIXES):
        got = _bulk(con, texts, prefixes)
        assert set(got) == set(texts)
        for text in texts:
            assert got[text] == _expected(text, prefixes), (text, prefixes)


def test_known_names_in_every_layout(con: duckdb.DuckDBPyConnection) -> None:
    texts = [d + name for d in LAYOUT_DIRS for name, *_ in FILES]
    texts += [t + "?x=1" for t in texts[:40]] + ["/packages/foo%2Bbar-1.0-py3-none-any.whl"]
    _agree(con, texts)


files = st.one_of(
    st.builds(
        lambda n, v, tail: f"{n}-{v}{tail}",
        names,
        st.one_of(versions, st.text(max_size=5)),
        st.sampled_from(
            [".tar.gz", ".zip", "-py3-none-any.whl", "-1-py3-none-any.whl", ".TAR.GZ", ".whl"]
        ),
    ),
    st.text(max_size=30),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(LAYOUT_DIRS), files), min_size=1, max_size=30))
def test_any_target_is_classified_as_classify_target_does(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]
) -> None:
    _agree(con, [d + f for d, f in pairs])
