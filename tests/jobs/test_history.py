"""What the pages read, kept on both backends: a verdict's history, the waits, the
sessions, and their pruning."""

from __future__ import annotations

import time
from typing import Any

import pytest

from app.jobs.store import Journal
from app.jobs.store.history import Evaluation, Session

pytestmark = pytest.mark.anyio


def record(head: str = "a" * 40, state: str = "waiting", **extra: Any) -> dict[str, Any]:
    role = {"name": "dba", "state": state, "approved_by": ["dana"] if state == "approved" else []}
    return {
        "repo": "Acme/Shop",
        "title": "Add sku",
        "base_ref": "main",
        "milestone": None,
        "head_sha": head,
        "conclusion": "success" if state == "approved" else "in_progress",
        "summary": "Waiting for DBA (0/1)",
        "decision": {"roles": [role]},
    } | extra


def waiting(at_head: str = "a" * 40, **extra: Any) -> Evaluation:
    return Evaluation("Acme/Shop", 7, record(at_head, **extra), pending=("dba",))


async def test_an_evaluation_is_kept_only_when_its_verdict_changed(journal: Journal) -> None:
    await journal.save_evaluation(waiting(), at=100.0)
    await journal.save_evaluation(waiting(title="Renamed"), at=200.0)  # same verdict
    approved = Evaluation("Acme/Shop", 7, record(state="approved"), approved=("dba",))
    await journal.save_evaluation(approved, at=300.0)
    history = await journal.evaluations("acme/shop", 7)
    assert [at for at, _ in history] == [300.0, 100.0]
    latest = await journal.pull("ACME/shop", 7)
    assert latest is not None
    assert latest.record["title"] == "Add sku"  # the record of the latest save
    assert (latest.state, latest.saved_at) == ("open", 300.0)


async def test_a_wait_runs_from_the_first_request_to_the_approval(journal: Journal) -> None:
    await journal.save_evaluation(waiting(), at=100.0)
    await journal.save_evaluation(waiting("b" * 40), at=150.0)  # still waiting: same wait
    approved = Evaluation("Acme/Shop", 7, record(state="approved"), approved=("dba",))
    await journal.save_evaluation(approved, at=400.0)
    [wait] = await journal.pull_waits("acme/shop", 7)
    assert (wait.role, wait.release, wait.requested_at, wait.approved_at) == (
        "dba",
        "main",
        100.0,
        400.0,
    )
    await journal.save_evaluation(waiting("c" * 40), at=500.0)  # stale: asked again
    waits = await journal.pull_waits("acme/shop", 7)
    assert [(w.requested_at, w.approved_at) for w in waits] == [(100.0, 400.0), (500.0, None)]
    assert len(await journal.waits("acme", since=450.0)) == 1  # the open one only


async def test_a_role_no_longer_required_or_overridden_drops_its_open_wait(
    journal: Journal,
) -> None:
    await journal.save_evaluation(waiting(), at=100.0)
    await journal.save_evaluation(
        Evaluation("Acme/Shop", 7, record(state="overridden"), dropped=("dba",)), at=200.0
    )
    assert await journal.pull_waits("acme/shop", 7) == []


async def test_a_closed_pull_request_leaves_the_board(journal: Journal) -> None:
    await journal.save_evaluation(waiting())
    assert [p.number for p in await journal.open_pulls("ACME")] == [7]
    await journal.close_pull("acme/shop", 7, "merged")
    assert await journal.open_pulls("acme") == []
    closed = await journal.pull("acme/shop", 7)
    assert closed is not None
    assert closed.state == "merged"
    assert await journal.pull_waits("acme/shop", 7) == []  # never approved: not measured


async def test_sessions_expire_and_end(journal: Journal) -> None:
    await journal.save_session("k1", Session("dana", "sealed", time.time() + 60))
    await journal.save_session("k2", Session("eve", "sealed", time.time() - 1))
    found = await journal.session("k1")
    assert found is not None
    assert (found.login, found.token) == ("dana", "sealed")
    assert await journal.session("k2") is None
    await journal.drop_session("k1")
    assert await journal.session("k1") is None


async def test_prune_forgets_old_history_but_not_a_pull_request_still_waiting(
    journal: Journal,
) -> None:
    old = time.time() - 100 * 86400
    await journal.save_evaluation(waiting(), at=old)
    await journal.save_session("gone", Session("dana", "sealed", time.time() - 1))
    other = Evaluation("Acme/Api", 1, record() | {"repo": "Acme/Api"}, pending=("dba",))
    await journal.save_evaluation(other, at=old)
    await journal.save_evaluation(other, at=time.time())  # evaluated lately: stays
    await journal.prune(time.time(), records_older_than=time.time() - 90 * 86400)
    assert [p.repo for p in await journal.open_pulls("acme")] == ["acme/api"]
    assert await journal.evaluations("acme/shop", 7) == []
    assert [w.repo for w in await journal.waits("acme", 0)] == ["acme/api"]


async def test_the_latest_finished_suite_of_each_app_wins(journal: Journal) -> None:
    sha = "c" * 40
    await journal.save_suite("Acme/Shop", sha, "ci", "failure", "2026-12-01T10:00:00Z")
    await journal.save_suite("Acme/Shop", sha, "ci", "success", "2026-12-01T11:00:00Z")
    await journal.save_suite("Acme/Shop", sha, "ci", "failure", "2026-12-01T10:30:00Z")  # late
    await journal.save_suite("Acme/Shop", sha, "lint", "neutral", "2026-12-01T10:00:00Z")
    await journal.save_suite("Acme/Shop", "d" * 40, "ci", "failure", "2026-12-01T10:00:00Z")
    assert await journal.suites("acme", [sha]) == {
        ("acme/shop", sha): {"ci": "success", "lint": "neutral"}
    }


async def test_a_repositorys_board_reads_that_repository_only(journal: Journal) -> None:
    await journal.save_evaluation(waiting())
    other = Evaluation("Acme/Api", 1, record() | {"repo": "Acme/Api"}, pending=("dba",))
    await journal.save_evaluation(other)
    assert [p.repo for p in await journal.open_pulls("acme", "ACME/api")] == ["acme/api"]
    assert [w.repo for w in await journal.waits("acme", 0, "acme/shop")] == ["acme/shop"]
    assert len(await journal.open_pulls("acme")) == 2
