"""The pages in headless Chromium (Debian's, through `executable_path`): the login
round trip against the fake GitHub's OAuth pages, the board with a PR waiting on the
DBA, the PR turning ready after the approval, a user who cannot read the repository
getting 404, and the details page's audit of an override. The screenshots it takes
are docs/board.png and docs/details.png (`scripts/dev screenshots`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.main import create_app
from tests import render
from tests.e2e.helpers import comment_event, shop
from tests.fakes.github import FakeGitHub, Pull, Repo
from tests.harness import (
    Harness,
    fake_gateway,
    fake_users,
    free_port,
    pages_settings,
    review_event,
    settings,
    signed,
)
from tests.test_logs import served

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        render.chromium() is None,
        reason="no chromium here (.ci/run installs Debian's; or set $CHROMIUM)",
    ),
]

CONFIG = """\
version: 1
roles:
  dba:
    name: DBA
    reviewers: {teams: [dba]}
    when: [{detector: migrations}]
  security:
    name: Security
    reviewers: {teams: [appsec]}
    when: [{detector: auth}]
    checklist: ["Threat model updated"]
overrides:
  by: {teams: [release-managers]}
"""
MIGRATION = (
    "class DropLegacyEmail < ActiveRecord::Migration[7.1]\n"
    "  def change\n    remove_column :users, :legacy_email\n  end\nend\n"
)
AUTH = "app.config['WTF_CSRF_ENABLED'] = False\nSESSION_COOKIE_SECURE = False\n"


# The lowest contrast of any text on the page against the background it sits on
# (WCAG 2's relative luminance); AA asks 4.5 for text this size.
CONTRAST = """() => {
  const rgb = (s) => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => {
    c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  let lowest = 21, where = "";
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest("svg")) continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < lowest) { lowest = ratio; where = el.outerHTML.slice(0, 80); }
  }
  return [lowest, where];
}"""


@dataclass
class Live:
    """The App served over real HTTP (for the browser), with the fake GitHub's web
    pages over real HTTP too; webhooks are delivered to the App's port."""

    url: str
    fake: FakeGitHub
    app: Any
    client: httpx.AsyncClient

    async def deliver(self, event: str, body: dict[str, Any]) -> None:
        raw, headers = signed(event, body)
        answer = await self.client.post(f"{self.url}/webhooks", content=raw, headers=headers)
        assert answer.status_code == 202, answer.text
        await self.app.state.worker.idle()

    async def opened(self, repo: Repo, pull: Pull) -> None:
        body = Harness(self.fake, self.client, self.app).pr_event("opened", repo, pull.number)
        await self.deliver("pull_request", body)


@asynccontextmanager
async def live(database_url: str) -> AsyncIterator[Live]:
    fake = FakeGitHub()
    with served(fake) as github_port:
        port = free_port()
        url = f"http://localhost:{port}"  # a secure context: Chromium keeps Secure cookies
        chosen = pages_settings(fake, public_url=url) | {
            "github_url": f"http://127.0.0.1:{github_port}"
        }
        app = create_app(
            settings(database_url, **chosen), gateway=fake_gateway(fake), users=fake_users(fake)
        )
        server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        await app.state.warmed.wait()
        try:
            async with httpx.AsyncClient() as client:
                yield Live(url, fake, app, client)
        finally:
            server.should_exit = True
            await task


async def story(database_url: str, out: Path) -> dict[str, Any]:
    """The board and details pages as dana, rita and eve see them; what they showed."""
    from playwright.async_api import async_playwright

    seen: dict[str, Any] = {}
    async with live(database_url) as s:
        repo = shop(s.fake, CONFIG)
        s.fake.team("acme", "release-managers", {"rita"})
        repo.collaborators |= {"rita", "bob"}
        s.fake.push(
            repo, "drop-legacy-email", {"db/migrate/20261201_drop_legacy_email.rb": MIGRATION}
        )
        first = s.fake.open_pull(
            repo, "drop-legacy-email", author="alice", title="Drop the legacy email column"
        )
        s.fake.push(repo, "csrf-off", {"app/settings.py": AUTH})
        second = s.fake.open_pull(
            repo, "csrf-off", author="bob", title="Turn CSRF off for the webhooks"
        )
        for pull in (first, second):
            await s.opened(repo, pull)
        text = (
            '/release-roles override security --reason "webhook endpoint, signed; reviewed in #231"'
        )
        await s.deliver("issue_comment", comment_event(repo, second, text, "rita"))

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=render.chromium())
            dana = await browser.new_page(viewport={"width": 1100, "height": 800})
            s.fake.browser_user = "dana"
            await dana.goto(f"{s.url}/acme/shop")  # -> /login -> GitHub -> back here
            seen["landed"] = dana.url
            seen["who"] = await dana.locator("header .who").inner_text()
            seen["waiting"] = await dana.locator("#b-dba + ul").inner_text()
            seen["labels"] = await dana.get_by_label("Role", exact=True).count()
            seen["contrast"] = await dana.evaluate(CONTRAST)
            await dana.screenshot(path=str(out / "board.png"), full_page=True)

            s.fake.review(repo, first, "dana", "APPROVED")
            await s.deliver("pull_request_review", review_event(repo, first.number))
            await dana.reload()
            seen["ready"] = await dana.locator("#ready + ul").inner_text()

            await dana.goto(f"{s.url}/acme/shop/pull/{second.number}")
            seen["details"] = await dana.locator("main").inner_text()
            await dana.screenshot(path=str(out / "details.png"), full_page=True)

            await dana.set_viewport_size({"width": 390, "height": 800})  # a phone
            seen["overflow"] = await dana.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )

            eve = await (await browser.new_context()).new_page()
            s.fake.browser_user = "eve"
            s.fake.repo("acme", "docs", {"README.md": "docs\n"}).collaborators.add("eve")
            answer = await eve.goto(f"{s.url}/acme/shop/pull/{first.number}")
            seen["eve"] = (answer.status if answer else None, await eve.locator("h1").inner_text())
            await eve.goto(f"{s.url}/")
            seen["eve_index"] = await eve.locator("main").inner_text()

            await dana.get_by_role("button", name="Sign out").click()
            await dana.wait_for_url(f"{s.url}/")
            seen["cookies"] = [c["name"] for c in await dana.context.cookies()]
            await browser.close()
    return seen


async def test_the_pages_in_a_browser(tmp_path: Path) -> None:
    seen = await story(f"sqlite:///{tmp_path / 'journal.db'}", tmp_path)
    assert seen["landed"].endswith("/acme/shop")  # the login returned where it started
    assert "Signed in as dana" in seen["who"]
    assert "acme/shop#1 waiting" in seen["waiting"]
    assert seen["labels"] == 1  # the filter's select has its label
    assert seen["contrast"][0] >= 5.0, seen["contrast"]  # WCAG AA's 4.5, with a margin
    assert "acme/shop#1 Drop the legacy email column" in seen["ready"]
    details = seen["details"]
    assert "Overridden by rita" in details
    assert "webhook endpoint, signed; reviewed in #231" in details
    assert "security: waiting → overridden" in details
    assert "auth." in details  # the evidence: a rule of the auth detector, with its line
    assert seen["overflow"] <= 0  # nothing wider than a phone's screen
    assert seen["eve"] == (404, "Not found")
    assert "acme/docs" in seen["eve_index"]
    assert "acme/shop" not in seen["eve_index"]
    assert "rr_session" not in seen["cookies"]  # signed out
    assert (tmp_path / "board.png").stat().st_size > 10_000
