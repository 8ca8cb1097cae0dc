"""User-Agents through linehaul, as PyPI parses them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.access_logs import escape, pip_agent, uv_agent
from toppypi.logs.agents import AgentParser, unescape


def test_pip_and_uv_agents_fill_details_as_on_pypi() -> None:
    parse = AgentParser()
    pip = parse(escape(pip_agent("24.0", "3.12.1", ci=True)))
    assert pip.details is not None and not pip.ignored
    assert pip.details["installer"] == {"name": "pip", "version": "24.0"}
    assert pip.details["python"] == "3.12.1"
    assert pip.details["ci"] is True
    assert pip.details["distro"]["libc"] == {"lib": "glibc", "version": "2.35"}
    assert pip.details["openssl_version"] == "OpenSSL 3.0.2 15 Mar 2022"
    uv = parse(escape(uv_agent("0.5.1", "3.11.4"), "apache"))
    assert uv.details is not None
    assert uv.details["installer"] == {"name": "uv", "version": "0.5.1"}
    assert uv.details["ci"] is None


def test_known_bots_are_ignored_and_unknown_agents_have_no_details() -> None:
    parse = AgentParser()
    assert parse("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)").ignored
    unknown = parse("SomethingNew/1.0")
    assert unknown.details is None and not unknown.ignored
    assert parse("-").details is None
    assert parse("Mozilla/5.0").details == {
        "installer": {"name": "Browser", "version": None},
        **{k: None for k in ("python", "implementation", "distro", "system", "cpu")},
        **{k: None for k in ("openssl_version", "setuptools_version", "rustc_version", "ci")},
    }


def test_unescaping() -> None:
    assert unescape("a\\x22b\\x5C") == 'a"b\\'
    assert unescape('a\\"b\\\\') == 'a"b\\'
    assert unescape("caf\\xC3\\xA9") == "café"
    assert unescape("bad \\xFF byte") == "bad \ufffd byte"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_agent_text_parses_or_not_and_never_raises(text: str) -> None:
    parse = AgentParser()
    parse(text)
    parse("pip/24.0 " + text)
    parse("uv/0.5.0 " + text)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=10,
    )
)
def test_odd_json_in_a_pip_agent_never_raises(value: object) -> None:
    import json

    agent = AgentParser()("pip/24.0 " + json.dumps(value))
    assert agent.details is None or isinstance(agent.details, dict)
