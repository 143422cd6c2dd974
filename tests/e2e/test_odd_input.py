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
