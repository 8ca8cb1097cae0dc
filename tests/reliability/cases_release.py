"""Bad inputs to the commands that write a dataset: demo, update, update --publish, init.

Paths are relative to the world's root (the working directory of every run);
``{M1}``..``{M3}`` are the store's months, ``{CUR}`` the current month,
``{TAG2}`` the tag of the published M2. What fails today would be listed in today.py.
"""

from __future__ import annotations

from tests.reliability.harness import Case, case
from tests.reliability.prepare import (
    CORRUPT_M2,
    SOURCES,
    TOKEN,
    TOKEN_URL,
    copy,
    edit_toml,
    in_repo,
    remote_with_extra_commit,
    scaled,
    write,
)
from tests.reliability.world import M2, M3, TAG2

# The tables keep one case to a few lines.
# fmt: off
DEMO = [
    case("demo-months-0", "demo", "--dir", "d2", "--months", "0"),
    case("demo-months-25", "demo", "--dir", "d2", "--months", "25"),
    case("demo-events-10", "demo", "--dir", "d2", "--events", "10"),
    case("demo-events-not-a-number", "demo", "--dir", "d2", "--events", "many"),
    case("demo-seed-not-a-number", "demo", "--dir", "d2", "--seed", "x"),
    case("demo-dir-is-a-file", "demo", "--dir", "store.duckdb"),
    case("demo-dir-under-a-file", "demo", "--dir", "store.duckdb/d", "--events", "1000"),
    case("demo-unknown-option", "demo", "--dri", "d2"),
    case(
        "demo-dir-on-released-dataset",
        "demo", "--dir", "pub", "--months", "3", "--events", "1000",
        says="{TAG2}|toppypi.toml|released",
    ),
]

UPDATE = [
    case("update-dataset-is-a-file", "update", "--dataset", "store.duckdb", "--month", M3),
    case("update-month-13", "update", "--dataset", "ds", "--month", "2026-13"),
    case("update-month-0000-01", "update", "--dataset", "ds", "--month", "0000-01"),
    case("update-month-a-day", "update", "--dataset", "ds", "--month", f"{M3}-01"),
    case("update-month-not-a-month", "update", "--dataset", "ds", "--month", "latest"),
    case(
        "update-month-1969", "update", "--dataset", "ds", "--month", "1969-12", codes=4,
        says="no data|complete|retry",
    ),
    case("update-month-2099", "update", "--dataset", "ds", "--month", "2099-01", codes=(2, 4)),
    case(
        "update-current-month", "update", "--dataset", "ds", "--month", "{CUR}", codes=(2, 4),
        says="tomorrow|complete|not over|no data",
    ),
    case(
        "update-current-month-after-a-real-size-month",
        "update", "--dataset", "ds", "--month", "{CUR}", codes=(2, 4),
        prepare=scaled("ds", M3), says="tomorrow|complete|not over|no data",
    ),
    case("update-next-month", "update", "--dataset", "ds", "--month", "{NEXT}", codes=(2, 4)),
    case("update-limit-0", "update", "--dataset", "ds", "--month", M3, "--limit", "0"),
    case("update-limit-negative", "update", "--dataset", "ds", "--month", M3, "--limit", "-5"),
    case("update-installers-unknown", "update", "--dataset", "ds", "--installers", "pip;uv"),
    case("update-layout-xml", "update", "--dataset", "ds", "--month", M3, "--layout", "xml"),
    case("update-reason-without-republish", "update", "--dataset", "ds", "--reason", "x"),
    case("update-republish-without-reason", "update", "--dataset", "pub", "--republish"),
    case("update-db-missing", "update", "--dataset", "ds", "--month", M3, "--db", "no.duckdb"),
    case("update-db-is-a-folder", "update", "--dataset", "ds", "--month", M3, "--db", "ds"),
    case("update-wait-negative", "update", "--dataset", "pub", "--publish", "--wait", "-1"),
    case(
        "update-archive-is-a-file",
        "update", "--dataset", "d3", "--month", M3, "--limit", "50",
        prepare=write("d3/archive", "not a folder\n"),
    ),
    case(
        "update-previous-month-truncated",
        "update", "--dataset", "ds", "--month", M3, "--limit", "40",
        prepare=CORRUPT_M2, says="{M2}",
    ),
    *(
        case(
            f"update-{name}", "update", "--dataset", "ds", "--month", M3, "--source", src,
            codes=codes, secrets=secrets,
        )
        for name, src, codes, secrets in SOURCES
    ),
    case(
        "update-released-month",
        "update", "--dataset", "pub", "--month", "{M2}", "--limit", "40",
        says="{TAG2}",
    ),
    case(
        "update-released-month-same-data",
        "update", "--dataset", "pub", "--month", "{M2}", says="{TAG2}",
    ),
    case(
        "update-released-month-forced",
        "update", "--dataset", "pub", "--month", "{M2}", "--limit", "40", "--force",
        says="{TAG2}",
    ),
    case(
        "update-released-month-dry-run",
        "update", "--dataset", "pub", "--month", "{M2}", "--limit", "40", "--dry-run",
        says="{TAG2}",
    ),
    case("update-dry-run-month-0000-01", "update", "--dataset", "ds", "--month", "0000-01",
         "--dry-run"),
    case(
        "update-year-list-toml-text",
        "update", "--dataset", "pub", "--month", M3,
        prepare=edit_toml("year_list = true", 'year_list = "yes"'), says="year_list",
    ),
    case(
        "update-toml-broken",
        "update", "--dataset", "pub", "--month", M3, prepare=edit_toml("[dataset]", "[dataset"),
    ),
    case(
        "update-toml-unknown-key",
        "update", "--dataset", "pub", "--month", M3,
        prepare=edit_toml("[dataset]", "[dataset]\nlimmit = 10"), says="limmit",
    ),
    case(
        "update-toml-limit-text",
        "update", "--dataset", "pub", "--month", M3,
        prepare=edit_toml("limit = 50", 'limit = "fifty"'), says="limit",
    ),
    case(
        "update-toml-source-unknown",
        "update", "--dataset", "pub", "--month", M3,
        prepare=edit_toml('source = "duckdb"', 'source = "nope"'),
    ),
]

PUBLISH = [
    case("publish-no-toml", "update", "--dataset", "ds", "--month", M3, "--publish"),
    case(
        "publish-not-a-repo",
        "update", "--dataset", "np", "--month", M3, "--publish",
        prepare=copy("pub/toppypi.toml", "np/toppypi.toml"), may_change=("np/*",),
    ),
    case("publish-month-13", "update", "--dataset", "pub", "--month", "2026-13", "--publish"),
    case("publish-month-0000-01", "update", "--dataset", "pub", "--month", "0000-01", "--publish"),
    case(
        "publish-month-1969", "update", "--dataset", "pub", "--month", "1969-12", "--publish",
        codes=4,
    ),
    case(
        "publish-current-month", "update", "--dataset", "pub", "--month", "{CUR}", "--publish",
        codes=(2, 4), says="tomorrow|complete|not over|no data",
    ),
    case(
        "publish-current-month-after-a-real-size-month",
        "update", "--dataset", "pub", "--month", "{CUR}", "--publish", codes=(2, 4),
        prepare=scaled("pub", M2), says="tomorrow|complete|not over|no data",
    ),
    case(
        "publish-republish-without-release",
        "update", "--dataset", "pub", "--month", M3, "--republish", "--reason", "fix",
    ),
    case(
        "publish-republish-blank-reason",
        "update", "--dataset", "pub", "--month", "{M2}", "--republish", "--reason", "   ",
    ),
    case(
        "publish-wrong-branch",
        "update", "--dataset", "pub", "--month", M3, "--publish",
        prepare=in_repo("checkout", "--quiet", "-b", "other"), says="main",
    ),
    case(
        "publish-detached-head",
        "update", "--dataset", "pub", "--month", M3, "--publish",
        prepare=in_repo("checkout", "--quiet", "--detach"),
    ),
    case(
        "publish-tag-on-remote-not-here",
        "update", "--dataset", "pub", "--month", "{M2}", "--publish",
        prepare=in_repo("tag", "-d", TAG2),
        says="{TAG2}",
    ),
    case(
        "publish-token-in-remote-url",
        "update", "--dataset", "pub", "--month", "{M2}", "--publish",
        codes=5, prepare=in_repo("remote", "set-url", "origin", TOKEN_URL), secrets=(TOKEN,),
    ),
    case(
        "publish-token-in-toml-remote",
        "update", "--dataset", "pub", "--month", "{M2}", "--publish",
        codes=5, prepare=edit_toml('remote = "origin"', f'remote = "{TOKEN_URL}"'),
        secrets=(TOKEN,),
    ),
    *(
        case(
            f"publish-{name}", "update", "--dataset", "pub", "--month", M3, "--publish",
            "--source", src, codes=codes, secrets=secrets,
        )
        for name, src, codes, secrets in SOURCES
    ),
    case("publish-wait-not-a-number", "update", "--dataset", "pub", "--publish", "--wait", "x"),
    case(
        "publish-rejected-by-remote",
        "update", "--dataset", "pub", "--month", M3, "--publish",
        codes=5, prepare=remote_with_extra_commit, may_change=("pub/*",), says="merge|pull",
    ),
]

INIT = [
    case("init-no-dir", "init"),
    case("init-dir-is-a-file", "init", "store.duckdb"),
    case("init-under-a-file", "init", "store.duckdb/d"),
    case("init-existing-dataset", "init", "pub", says="already"),
    case("init-source-unknown", "init", "n1", "--source", "nope"),
    case("init-installers-unknown", "init", "n1", "--installers", "pip;uv"),
    case("init-limit-0", "init", "n1", "--limit", "0"),
    case(
        "init-bad-branch-name",
        "init", "n1", "--branch", "bad..name",
    ),
    case(
        "init-bad-branch-with-token-remote",
        "init", "n1", "--branch", "bad..name", "--remote", TOKEN_URL, secrets=(TOKEN,),
    ),
    case("init-author-without-email", "init", "n1", "--author", "nobody"),
    case("init-requirement-not-pep508", "init", "n1", "--requirement", "not a req!!",
         says="PEP 508"),
    case("init-requirement-not-toppypi", "init", "n1", "--requirement", "requests>=2",
         says="toppypi"),
]

# fmt: on
RELEASE_CASES: list[Case] = [*DEMO, *UPDATE, *PUBLISH, *INIT]
