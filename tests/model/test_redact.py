"""Secrets in URLs and tokens never survive :func:`redact`."""

from __future__ import annotations

import pytest

from toppypi.model.redact import redact


@pytest.mark.parametrize(
    "text,secret",
    [
        ("cannot reach clickhouse://alice:s3cret@db.example:8123/", "s3cret"),
        ("push https://x:ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r", "ghp_"),
        ("https://TOKENVALUE123@github.com/o/r.git", "TOKENVALUE123"),
        ("http://127.0.0.1:8123/?user=u&password=hunter2&database=pypi", "hunter2"),
        ("fatal: bad token github_pat_ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123", "github_pat_"),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert "***" in out


def test_text_without_secrets_is_unchanged() -> None:
    text = "the clickhouse engine at https://sql-clickhouse.clickhouse.com (user demo) failed"
    assert redact(text) == text
