"""Deliveries GitHub could not make are asked for again (issue 17): through the real
gateway against the fake GitHub's delivery endpoints, on both journals."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from app.jobs.store import Journal
from app.main import build_worker
from app.service.recovery import WINDOW_SECONDS, recover
from tests.fakes.github import FakeGitHub
from tests.harness import fake_gateway, running, settings

pytestmark = pytest.mark.anyio


def guid() -> str:
    return str(uuid.uuid4())


async def test_only_events_that_never_arrived_are_redelivered(journal: Journal) -> None:
    fake, now = FakeGitHub(), time.time()
    lost, mended, received, refused, old = guid(), guid(), guid(), guid(), guid()
    fake.attempt(lost, 0, now - 600)  # no connection …
    newest = fake.attempt(lost, 503, now - 300)  # … then a 503: ask for this one again
    fake.attempt(mended, 502, now - 500)
    fake.attempt(mended, 202, now - 400)  # GitHub's own retry got through
    fake.attempt(received, 504, now - 200)  # the answer was lost, the journal has it
    await journal.accept(received, "pull_request", "opened", b"{}", [])
    fake.attempt(refused, 400, now - 100)  # a body we refused: refused again, every round
    fake.attempt(old, 503, now - WINDOW_SECONDS - 60)  # beyond the window
    for _ in range(150):  # more than a page: the cursor is followed
        fake.attempt(guid(), 202, now - 50)
    done = await recover(fake_gateway(fake), journal, now)
    assert fake.redelivered == [newest]
    assert done.redelivered == (lost,)
    assert done.attempts == 156  # the old one is not listed
    assert fake.count("GET", r"^/app/hook/deliveries$") == 2


async def test_a_redelivery_the_receiver_takes_is_not_asked_again(journal: Journal) -> None:
    fake, now = FakeGitHub(), time.time()
    lost = guid()
    attempt = fake.attempt(lost, 503, now - 60)
    gateway = fake_gateway(fake)
    await recover(gateway, journal, now)
    assert fake.redelivered == [attempt]
    fake.attempt(lost, 202, now - 30)  # the redelivery arrived
    await journal.accept(lost, "pull_request", "opened", b"{}", [])
    await recover(gateway, journal, now)
    assert fake.redelivered == [attempt]


async def test_the_app_recovers_on_start_unless_turned_off(database_url: str) -> None:
    fake = FakeGitHub()
    attempt = fake.attempt(guid(), 0, time.time() - 60)
    async with running(database_url, fake):
        for _ in range(200):
            if fake.redelivered:
                break
            await asyncio.sleep(0.01)
    assert fake.redelivered == [attempt]
    off = FakeGitHub()
    off.attempt(guid(), 0, time.time() - 60)
    async with running(database_url, off, delivery_recovery_seconds=0) as h:
        await h.settle()
        await asyncio.sleep(0.1)
    assert off.redelivered == []
    assert off.count("GET", r"^/app/hook/deliveries$") == 0


def test_the_setting_schedules_the_chore(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/j.db"
    worker = build_worker(settings(url), fake_gateway(FakeGitHub()), journal=_NoJournal())
    assert [name for name, _, _ in worker._chores] == ["delivery_recovery"]
    quiet = build_worker(
        settings(url, delivery_recovery_seconds=0), fake_gateway(FakeGitHub()), _NoJournal()
    )
    assert quiet._chores == []


class _NoJournal:
    """build_worker only keeps the journal; nothing is called on it here."""
