"""The pages through the app's own stack (ASGI), against the fake GitHub's OAuth flow:
login, the board, the details page, who sees what, and that a view asks GitHub nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import (
    MIGRATION,
    MIGRATION_TEXT,
    approve,
    comment_event,
    migration_pull,
    open_and_settle,
    pushed,
    shop,
)
from tests.fakes.github import FakeGitHub
from tests.harness import Harness, pages_settings, payload, running

pytestmark = pytest.mark.anyio

GOVERNED = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations}]
    checklist: ["Rollback migration written and tried"]
overrides:
  by: {teams: [release-managers]}
"""


@asynccontextmanager
async def browsing(database_url: str, **overrides: Any) -> AsyncIterator[Harness]:
    fake = FakeGitHub()
    async with running(database_url, fake, **(pages_settings(fake) | overrides)) as h:
        yield h


def browser(h: Harness) -> httpx.AsyncClient:
    """A client with its own cookies, over https as the pages' cookies require."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=h.app), base_url="https://app")


async def log_in(
    h: Harness, client: httpx.AsyncClient, user: str, next: str = "/"
) -> httpx.Response:
    """/login -> GitHub's authorize page (the fake, as if the user pressed Authorize)
    -> /auth/callback; the response the callback gave."""
    h.fake.browser_user = user
    start = await client.get("/login", params={"next": next})
    assert start.status_code == 302
    authorize = httpx.URL(start.headers["location"])
    assert authorize.host == "github.test"
    assert authorize.path == "/login/oauth/authorize"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=h.fake.app)) as github:
        answer = await github.get(f"https://github.test{authorize.raw_path.decode()}")
    assert answer.status_code == 302
    back = httpx.URL(answer.headers["location"])
    assert str(back).startswith("https://app/auth/callback?")
    return await client.get(back.raw_path.decode())


PLAIN = GOVERNED.replace('    checklist: ["Rollback migration written and tried"]\n', "")


async def dba_waiting(h: Harness, config: str = GOVERNED) -> Any:
    repo = shop(h.fake, config)
    h.fake.team("acme", "release-managers", {"rita"})
    repo.collaborators |= {"rita"}
    pull = migration_pull(h.fake, repo)
    await open_and_settle(h, repo, pull)
    return repo, pull


async def test_login_round_trip_then_the_board_shows_the_pr_waiting_on_the_dba(
    database_url: str,
) -> None:
    async with browsing(database_url) as h:
        await dba_waiting(h)
        async with browser(h) as client:
            landed = await log_in(h, client, "dana", next="/acme/shop")
            assert landed.status_code == 303
            assert landed.headers["location"] == "/acme/shop"
            cookie = landed.headers["set-cookie"]
            assert "HttpOnly" in cookie
            assert "Secure" in cookie
            assert "samesite=lax" in cookie.lower()
            board = await client.get("/acme/shop")
            assert board.status_code == 200
            html = board.text
            assert "Signed in as <strong>dana</strong>" in html
            assert "acme/shop#1" in html
            assert "Blocked on" in html
            assert 'class="state state-waiting">waiting<' in html
            assert "db/migrate/20261101_add_sku.rb" in html  # going into main
            assert "None" not in html
            assert board.headers["content-security-policy"].startswith("default-src 'none'")


async def test_the_pr_turns_ready_after_the_dba_approves_and_the_wait_is_measured(
    database_url: str,
) -> None:
    async with browsing(database_url) as h:
        repo, pull = await dba_waiting(h, PLAIN)
        await approve(h, repo, pull, "dana")
        async with browser(h) as client:
            await log_in(h, client, "dana")
            data = (await client.get("/acme/shop", params={"format": "json"})).json()
            [row] = data["pulls"]
            assert row["state"] == "ready", row
            assert row["roles"]["dba"]["state"] == "approved"
            assert data["ready"] == ["acme/shop#1"]
            html = (await client.get("/acme/shop")).text
            assert "Time from request to approval" in html
            assert "(n=1)" in html
            page = (await client.get("/acme/shop/pull/1")).text
            assert re.search(r"Approved by dana \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)", page), page
            assert "dba: waiting → approved" in page  # the history says what changed


def suite_event(h: Harness, repo: Any, sha: str, conclusion: str, at: str) -> dict[str, Any]:
    """Another app's check suite finished on `sha` (the vendored payload)."""
    body = payload("check_suite.completed")
    body["repository"] |= {"name": repo.name, "full_name": f"{repo.owner}/{repo.name}"}
    body["repository"]["owner"]["login"] = repo.owner
    body["check_suite"] |= {"head_sha": sha, "conclusion": conclusion, "updated_at": at}
    return body


async def test_a_failing_check_keeps_a_pr_off_the_ready_list(db: str) -> None:
    async with browsing(db) as h:
        repo, pull = await dba_waiting(h, PLAIN)
        await approve(h, repo, pull, "dana")
        head = repo.branches[pull.head_ref]
        failed = suite_event(h, repo, head, "failure", "2026-12-01T10:00:00Z")
        assert (await h.deliver("check_suite", failed)).status_code == 202
        async with browser(h) as client:
            await log_in(h, client, "dana")
            [row] = (await client.get("/acme/shop", params={"format": "json"})).json()["pulls"]
            assert row["state"] == "failing"
            assert row["checks"] == {"octocoders-linter": "failure"}
            passed = suite_event(h, repo, head, "success", "2026-12-01T10:05:00Z")
            await h.deliver("check_suite", passed)  # the re-run passed
            [row] = (await client.get("/acme/shop", params={"format": "json"})).json()["pulls"]
            assert row["state"] == "ready"


async def test_check_runs_link_their_details_page(database_url: str) -> None:
    async with browsing(database_url) as h:
        repo, pull = await dba_waiting(h)
        [run] = h.fake.checks_for(repo, repo.branches[pull.head_ref])
        assert run["details_url"] == "https://app/acme/shop/pull/1"


async def test_without_their_settings_the_pages_are_off_and_say_so(db: str) -> None:
    async with running(db) as h:
        repo, pull = await dba_waiting(h)
        [run] = h.fake.checks_for(repo, repo.branches[pull.head_ref])
        assert run["details_url"] == "https://github.com/apps/release-roles"  # GitHub's default
        async with browser(h) as client:
            off = await client.get("/acme/shop")
        assert off.status_code == 404
        assert "set PUBLIC_URL, SESSION_SECRET, GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET" in off.text


async def test_page_views_ask_github_nothing(database_url: str) -> None:
    async with browsing(database_url) as h:
        await dba_waiting(h)
        async with browser(h) as client:
            await log_in(h, client, "dana")
            await client.get("/acme")  # the first view asks what dana can read
            before = len(h.fake.requests)
            for path in ("/acme", "/acme/shop", "/acme/shop/pull/1", "/acme/shop?format=csv"):
                assert (await client.get(path)).status_code == 200, path
            assert h.fake.requests[before:] == []


async def test_a_user_who_cannot_read_the_repository_does_not_see_it(database_url: str) -> None:
    async with browsing(database_url) as h:
        await dba_waiting(h)
        h.fake.repo("acme", "open-source", {"README.md": "hi\n"}).collaborators.add("eve")
        async with browser(h) as client:
            await log_in(h, client, "eve")
            for path in ("/acme/shop", "/acme/shop/pull/1", "/acme/shop?format=json"):
                answer = await client.get(path)
                assert answer.status_code == 404, path
                assert "shop#1" not in answer.text
            owner = await client.get("/acme")
            assert owner.status_code == 200
            assert "acme/shop" not in owner.text
            assert "acme/open-source" in (await client.get("/")).text


async def test_the_details_page_audits_an_override(db: str) -> None:
    async with browsing(db) as h:
        repo, pull = await dba_waiting(h)
        text = '/release-roles override dba --reason "hotfix for the outage"'
        await h.deliver("issue_comment", comment_event(repo, pull, text, "rita"))
        await h.settle()
        async with browser(h) as client:
            await log_in(h, client, "rita")
            page = (await client.get("/acme/shop/pull/1")).text
        assert "Overridden by <strong>rita</strong>" in page
        assert "hotfix for the outage" in page
        assert "dba: waiting → overridden" in page
        assert "Rollback migration written and tried" in page


async def test_a_callback_without_the_state_it_was_sent_with_starts_no_session(db: str) -> None:
    async with browsing(db) as h, browser(h) as client:
        await client.get("/login")  # the state cookie, for another state
        forged = await client.get("/auth/callback", params={"code": "x", "state": "guess"})
        assert forged.status_code == 400
        assert "rr_session" not in forged.headers.get("set-cookie", "")
        assert (await client.get("/acme")).status_code == 302  # still logged out


async def test_after_login_only_a_path_on_this_server_is_returned_to(db: str) -> None:
    async with browsing(db) as h, browser(h) as client:
        landed = await log_in(h, client, "dana", next="//evil.example/steal")
        assert landed.headers["location"] == "/"


async def test_logout_ends_the_session_for_good(db: str) -> None:
    async with browsing(db) as h:
        await dba_waiting(h)
        async with browser(h) as client:
            await log_in(h, client, "dana")
            kept = {"Cookie": f"rr_session={client.cookies.get('rr_session')}"}
            async with browser(h) as copy:  # the cookie, copied elsewhere, works...
                assert (await copy.get("/acme/shop", headers=kept)).status_code == 200
            assert (await client.post("/logout")).status_code == 303
        async with browser(h) as replay:  # ...until its session is logged out
            assert (await replay.get("/acme/shop", headers=kept)).status_code == 302


async def test_a_revoked_token_ends_the_session(db: str) -> None:
    async with browsing(db) as h:
        await dba_waiting(h)
        async with browser(h) as client:
            await log_in(h, client, "dana")
            h.fake.user_tokens.clear()  # the user revoked the App's access on GitHub
            h.app.state.pages.sessions._access.clear()  # and the minute's cache ran out
            gone = await client.get("/acme/shop")
            assert gone.status_code == 302
            assert gone.headers["location"].startswith("/login")


async def test_the_csv_export_is_safe_to_open_in_a_spreadsheet(db: str) -> None:
    async with browsing(db) as h:
        repo = shop(h.fake, GOVERNED)
        h.fake.push(repo, "add-sku", {"db/migrate/20261101_add_sku.rb": "class A\nend\n"})
        pull = h.fake.open_pull(repo, "add-sku", author="alice", title="=HYPERLINK(1)")
        await open_and_settle(h, repo, pull)
        async with browser(h) as client:
            await log_in(h, client, "dana")
            export = await client.get("/acme/shop", params={"format": "csv"})
        assert export.headers["content-disposition"] == 'attachment; filename="acme-shop.csv"'
        header, row = list(csv.reader(io.StringIO(export.text)))
        assert header[-1] == "role:dba"
        assert row[-1] == "waiting"
        assert row[2] == "'=HYPERLINK(1)"


async def test_json_and_csv_ask_for_a_login_instead_of_redirecting(db: str) -> None:
    async with browsing(db) as h, browser(h) as client:
        answer = await client.get("/acme/shop", params={"format": "json"})
        assert answer.status_code == 401
        assert (await client.get("/favicon.ico")).status_code == 404


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\t/evil.example", "/\\evil.example", "https://evil.example"]
)
def test_only_a_plain_path_here_is_returned_to(target: str) -> None:
    from app.web.login import local_path

    assert local_path(target) == "/"
    assert local_path("/acme/shop?role=dba") == "/acme/shop?role=dba"


async def test_github_down_while_checking_access_is_a_502_not_a_500(db: str) -> None:
    async with browsing(db) as h:
        async with browser(h) as client:
            await log_in(h, client, "dana")
            h.app.state.pages.sessions._access.clear()
            h.fake.fail("GET", "/user/installations", 503)
            answer = await client.get("/acme")
        assert answer.status_code == 502
        assert "GitHub did not answer" in answer.text


async def test_the_details_page_says_which_approval_went_stale_and_links_what_changed(
    db: str,
) -> None:
    async with browsing(db) as h:
        repo, pull = await dba_waiting(h, PLAIN)
        approved_head = repo.branches[pull.head_ref]
        await approve(h, repo, pull, "dana")
        h.fake.push(repo, pull.head_ref, {MIGRATION: MIGRATION_TEXT + "# and more\n"})
        await pushed(h, repo, pull)
        async with browser(h) as client:
            await log_in(h, client, "dana")
            page = (await client.get("/acme/shop/pull/1")).text
        head = repo.branches[pull.head_ref]
        assert f"dana approved <code>{approved_head[:7]}</code>" in page
        assert f"/files/{approved_head}..{head}" in page
        assert "dba: approved → waiting" in page


def status_event(repo: Any, sha: str, state: str, at: str) -> dict[str, Any]:
    """Another CI's commit status on `sha` (the vendored payload)."""
    body = payload("status")
    body["repository"] |= {"name": repo.name, "full_name": f"{repo.owner}/{repo.name}"}
    body["repository"]["owner"]["login"] = repo.owner
    return body | {"sha": sha, "state": state, "updated_at": at, "context": "ci/jenkins"}


async def test_a_pending_or_failed_commit_status_keeps_a_pr_off_the_ready_list(db: str) -> None:
    async with browsing(db) as h:
        repo, pull = await dba_waiting(h, PLAIN)
        await approve(h, repo, pull, "dana")
        head = repo.branches[pull.head_ref]
        async with browser(h) as client:
            await log_in(h, client, "dana")

            async def state_after(state: str, at: str) -> tuple[str, dict[str, str]]:
                event = status_event(repo, head, state, at)
                assert (await h.deliver("status", event)).status_code == 202
                answer = await client.get("/acme/shop", params={"format": "json"})
                [row] = answer.json()["pulls"]
                return row["state"], row["checks"]

            assert await state_after("pending", "2026-12-01T10:00:00Z") == (
                "waiting",
                {"status:ci/jenkins": "pending"},
            )
            assert (await state_after("failure", "2026-12-01T10:05:00Z"))[0] == "failing"
            assert (await state_after("success", "2026-12-01T10:09:00Z"))[0] == "ready"
            html = (await client.get("/acme/shop")).text
            assert "1 green" in html


async def test_the_details_page_as_json(db: str) -> None:
    async with browsing(db) as h:
        repo, pull = await dba_waiting(h, PLAIN)
        await approve(h, repo, pull, "dana")
        async with browser(h) as client:
            await log_in(h, client, "dana")
            data = (await client.get("/acme/shop/pull/1", params={"format": "json"})).json()
        assert data["pull_request"]["conclusion"] == "success"
        assert [step["changes"] for step in data["history"]][-1] == ["first evaluation"]
        [wait] = data["waits"]
        assert wait["role"] == "dba"
        assert wait["approved_at"] >= wait["requested_at"]


async def test_odd_bytes_in_the_state_or_the_cookie_are_refused_not_a_500(db: str) -> None:
    async with browsing(db) as h:
        await dba_waiting(h)
        async with browser(h) as client:
            await client.get("/login")
            odd = await client.get("/auth/callback", params={"code": "x", "state": "é"})
            assert odd.status_code == 400
        async with browser(h) as client:
            cookie = {"Cookie": "rr_session=caf\xe9.\xe9t\xe9".encode("latin-1")}
            answer = await client.get("/acme/shop", headers=cookie)
            assert answer.status_code == 302  # not a session: log in


async def test_login_returns_to_a_filtered_board(db: str) -> None:
    async with browsing(db) as h, browser(h) as client:
        landed = await log_in(h, client, "dana", next="/acme/shop?role=dba&state=waiting")
        assert landed.headers["location"] == "/acme/shop?role=dba&state=waiting"
