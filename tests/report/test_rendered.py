"""The check run and the release-plan comment of the demo change, rendered as GitHub
renders them and screenshotted in headless Chromium: what a DBA sees first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import render
from tests.e2e.helpers import approve, check, open_and_settle
from tests.fakes.github import FakeGitHub, Pull, Repo
from tests.harness import running

pytestmark = pytest.mark.anyio
DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo"


def files(root: Path) -> dict[str, str | None]:
    return {str(p.relative_to(root)): p.read_text() for p in root.rglob("*") if p.is_file()}


def demo_pull(fake: FakeGitHub) -> tuple[Repo, Pull]:
    repo = fake.repo("acme", "shop", files(DEMO / "base"))
    for team, members in {"dba": {"dana"}, "appsec": {"sam"}, "sre": {"sue"}}.items():
        fake.team("acme", team, members)
    repo.collaborators |= {"dana", "sam", "sue", "alice", "octocat"}
    fake.push(repo, "remove-legacy-email", files(DEMO / "change"))
    return repo, fake.open_pull(repo, "remove-legacy-email", author="alice")


async def story(database_url: str) -> tuple[dict[str, Any], str]:
    """The demo change opened, and approved by the DBA: (check run, comment body)."""
    async with running(database_url) as h:
        repo, pull = demo_pull(h.fake)
        await open_and_settle(h, repo, pull)
        await approve(h, repo, pull, "dana")
        [comment] = h.fake.comments_on(repo, pull)
        return check(h.fake, repo, pull), comment


async def screenshots(database_url: str, out: Path) -> dict[str, Any]:
    """docs-style PNGs of the check run's summary and the comment; the DOM facts."""
    from playwright.async_api import async_playwright

    run, comment = await story(database_url)
    check_md = f"## {run['output']['title']}\n\n{run['output']['summary']}"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=render.chromium())
        view = await browser.new_page(viewport={"width": 900, "height": 600})
        facts: dict[str, Any] = {}
        for name, markdown in (("check-run", check_md), ("release-plan", comment)):
            await view.set_content(render.page(markdown, name))
            await view.locator("article").screenshot(path=str(out / f"{name}.png"))
            facts[name] = await view.evaluate(
                """() => ({
                    rows: [...document.querySelectorAll('table tr')].map(
                        r => [...r.cells].map(c => c.innerText.trim())),
                    boxes: [...document.querySelectorAll('input[type=checkbox]')].length,
                    text: document.body.innerText,
                })"""
            )
        await browser.close()
    return facts


@pytest.mark.skipif(
    render.chromium() is None,
    reason="no chromium here (.ci/run installs Debian's; or set $CHROMIUM)",
)
async def test_the_dba_sees_the_worst_finding_first_as_github_shows_it(tmp_path: Path) -> None:
    facts = await screenshots(f"sqlite:///{tmp_path / 'journal.db'}", tmp_path)
    check_rows = {row[1]: row for row in facts["check-run"]["rows"] if len(row) == 4}
    dba = check_rows["DBA"]
    # the first line of the DBA row: the gravest finding, its rule and where it is
    assert dba[3].startswith("🟥 critical migration.drop-column")
    assert "db/migrate/20261101120000_remove_legacy_email.rb" in dba[3]
    assert "approved" in dba[2]
    assert "checklist" in dba[2]
    assert facts["check-run"]["boxes"] == 0  # nothing looks tickable in the check run
    assert facts["release-plan"]["boxes"] == 1  # the DBA's checklist, in the comment
    assert "release-roles:tick" not in facts["release-plan"]["text"]  # markers unseen
    for name in ("check-run", "release-plan"):
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG")
        assert len(png) > 10_000
