"""One odd byte must not open the gate: lines are split as git splits them."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import check, open_and_settle
from tests.harness import running

pytestmark = pytest.mark.anyio

CONFIG = """\
version: 1
roles:
  security:
    reviewers: {teams: [appsec]}
    when: [{detector: auth}]
"""


@pytest.mark.parametrize("odd", ["\f", "\v", "\u2028", "\x85", "\x1c"])
async def test_a_line_with_an_odd_separator_is_still_read(db: str, odd: str) -> None:
    async with running(db) as h:
        repo = h.fake.repo("acme", "shop", {".github/release-roles.yml": CONFIG, "a.py": "x\n"})
        h.fake.team("acme", "appsec", {"sam"})
        line = f"r = requests.get(url, verify=False,{odd}timeout=3)\n"
        h.fake.push(repo, "client", {"src/client.py": line})
        pull = h.fake.open_pull(repo, "client", author="alice")
        run = await open_and_settle(h, repo, pull)
        assert run["output"]["title"] == "Waiting for Security (0/1)", run["output"]
        assert "src/client.py:1" in run["output"]["summary"]
        assert "could not be read" not in run["output"]["summary"]
        assert check(h.fake, repo, pull)["status"] == "in_progress"


async def test_an_alias_bomb_in_a_prs_config_is_refused_and_the_app_stays_up(db: str) -> None:
    import time

    levels = "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}' if i else 'a'] * 9)}]\n" for i in range(9)
    )
    async with running(db) as h:
        repo = h.fake.repo("acme", "shop", {".github/release-roles.yml": CONFIG, "a.py": "x\n"})
        h.fake.push(repo, "bomb", {".github/release-roles.yml": "version: 1\n" + levels})
        pull = h.fake.open_pull(repo, "bomb", author="mallory")
        started = time.perf_counter()
        await h.deliver("pull_request", h.pr_event("opened", repo, pull.number))
        assert (await h.client.get("/healthz")).status_code == 200
        await h.settle()
        assert time.perf_counter() - started < 5
        run = check(h.fake, repo, pull)
        assert run["conclusion"] == "failure"
        assert "expands to more than 20,000 values" in run["output"]["summary"]
