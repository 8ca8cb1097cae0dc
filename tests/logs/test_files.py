"""Distribution file names and index URL layouts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from packaging.version import Version

from toppypi.logs.files import DistFile, classify_target, parse_filename

FILES = [
    ("numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "numpy", "2.1.0", "bdist_wheel"),
    ("Django-5.0.tar.gz", "django", "5.0", "sdist"),
    ("zope.interface-6.0.zip", "zope-interface", "6.0", "sdist"),
    ("typing_extensions-4.12.2-py3-none-any.whl", "typing-extensions", "4.12.2", "bdist_wheel"),
    ("foo-1.0+local.7-py3-none-any.whl", "foo", "1.0+local.7", "bdist_wheel"),
    ("pytz-2011k.tar.bz2", None, None, None),  # not a PEP 440 version
    ("Twisted-8.2.0.tar.bz2", "twisted", "8.2.0", "sdist"),
    ("setuptools-0.6c11-py2.7.egg", "setuptools", "0.6rc11", "bdist_egg"),  # normalised
    ("my_pkg-1.2-py3.8-linux-x86_64.egg", "my-pkg", "1.2", "bdist_egg"),
    ("pywin32-214.win32-py2.6.exe", "pywin32", "214", "bdist_wininst"),
    ("lxml-2.3.win-amd64-py2.7.exe", "lxml", "2.3", "bdist_wininst"),
    ("pyodbc-4.0.30.win-amd64-py3.8.msi", "pyodbc", "4.0.30", "bdist_msi"),
    ("python-ldap-2.4.10-1.x86_64.rpm", "python-ldap", "2.4.10", "bdist_rpm"),
    ("foo-1.0.dmg", "foo", "1.0", "bdist_dmg"),
    ("foo-1.0-py3-none-any.whl.metadata", None, None, None),
    ("foo-1.0.tar.gz.asc", None, None, None),
    ("index.html", None, None, None),
    ("", None, None, None),
    ("-1.0.tar.gz", None, None, None),
    ("foo-notaversion-py3-none-any.whl", None, None, None),
]


@pytest.mark.parametrize(("name", "project", "version", "kind"), FILES)
def test_file_names(name: str, project: str | None, version: str | None, kind: str | None) -> None:
    got = parse_filename(name)
    if project is None:
        assert got is None
    else:
        assert got == DistFile(name, project, version or "", kind or "")


@pytest.mark.parametrize(
    ("target", "layout", "project"),
    [
        ("/packages/foo-1.0.tar.gz", "pypiserver", "foo"),
        ("/pypi/packages/foo-1.0.tar.gz?x=1#sha256=ab", "pypiserver", "foo"),
        ("/root/pypi/+f/0a1/23456789abcdef/foo-1.0.tar.gz", "devpi", "foo"),
        ("/packages/0a/1b/0123456789abcdef/foo-1.0-py3-none-any.whl", "pypi", "foo"),
        ("/packages/source/f/foo/foo-1.0.tar.gz", "pypi", "foo"),
        ("https://mirror.example/packages/foo-1.0.tar.gz", "pypiserver", "foo"),
        ("/packages/foo%2Bbar-1.0-py3-none-any.whl", None, None),  # "foo+bar" is no name
        ("/packages/foo-1.0%2Blocal-py3-none-any.whl", "pypiserver", "foo"),
        ("/downloads/foo-1.0.tar.gz", None, "foo"),
        ("/simple/foo/", None, None),
        ("/packages/", None, None),
    ],
)
def test_layouts(target: str, layout: str | None, project: str | None) -> None:
    t = classify_target(target)
    assert t.layout == layout
    assert (t.file.project if t.file else None) == project


def test_a_prefix_adds_a_layout() -> None:
    target = "/repository/pypi-proxy/packages/foo/1.0/foo-1.0.tar.gz"
    assert classify_target(target).layout is None
    assert classify_target(target, ("/repository/",)).layout == "prefix"


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_is_a_file_or_not_and_never_raises(text: str) -> None:
    parse_filename(text)
    classify_target(text)
    classify_target(text, ("/",))


names = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,20}[A-Za-z0-9])?", fullmatch=True)
versions = st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,3}((a|b|rc)[0-9]{1,2})?", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(names, versions)
def test_wheel_and_sdist_names_give_back_project_and_version(name: str, version: str) -> None:
    dist = canonicalize_name(name).replace("-", "_")
    wheel = parse_filename(f"{dist}-{version}-py3-none-any.whl")
    sdist = parse_filename(f"{dist}-{version}.tar.gz")
    for got, kind in ((wheel, "bdist_wheel"), (sdist, "sdist")):
        assert got is not None
        assert (got.project, got.version, got.type) == (
            canonicalize_name(name),
            str(Version(version)),
            kind,
        )


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40).map(lambda t: t + ".whl"),
        st.builds(
            lambda n, v, t: f"{n}-{v}-{t}.whl",
            names,
            st.one_of(versions, st.text(max_size=6)),
            st.sampled_from(
                ["py3-none-any", "cp312-cp312-manylinux_2_17_x86_64", "1-py3-none-any"]
            ),
        ),
    )
)
def test_wheels_agree_with_packaging_wherever_packaging_accepts(filename: str) -> None:
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        name, version, _, _ = parse_wheel_filename(filename)
    except (InvalidWheelFilename, ValueError):
        return  # we may still accept odd tags: a count does not need them
    got = parse_filename(filename)
    assert got is not None and (got.project, got.version) == (str(name), str(version))


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(["packages", "+f", "", "a", "x.whl", "root", "p?q"]), min_size=1, max_size=8
    ).map("/".join)
)
def test_layouts_by_segments_agree_with_the_layout_patterns(path: str) -> None:
    """``layout_of`` splits the path instead of searching it; the patterns stay the spec."""
    from toppypi.logs.files import LAYOUTS, layout_of

    expected = next((name for name, pattern in LAYOUTS if pattern.search(path)), None)
    assert layout_of(path) == expected
