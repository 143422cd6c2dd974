"""Liveness and readiness, through the app's own HTTP stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import running

pytestmark = pytest.mark.anyio


async def test_ready_while_every_worker_loop_runs_and_not_after(tmp_path: Path) -> None:
    async with running(f"sqlite:///{tmp_path / 'j.db'}", worker_concurrency=3) as h:
        ready = await h.client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() | {"pending_jobs": 0} == {
            "ready": True,
            "worker_loops": 3,
            "expected_loops": 3,
            "warm": True,
            "pending_jobs": 0,
        }
        await h.app.state.worker.stop()  # as if every loop had died
        stopped = await h.client.get("/readyz")
        assert stopped.status_code == 503
        assert stopped.json()["worker_loops"] == 0
        assert (await h.client.get("/healthz")).status_code == 200  # alive all the same


async def test_a_web_process_without_workers_is_ready_with_none(tmp_path: Path) -> None:
    async with running(f"sqlite:///{tmp_path / 'j.db'}", worker_in_process=False) as h:
        ready = await h.client.get("/readyz")
        assert (ready.status_code, ready.json()["expected_loops"]) == (200, 0)


async def test_not_ready_when_the_journal_does_not_answer(tmp_path: Path) -> None:
    async with running(f"sqlite:///{tmp_path / 'j.db'}") as h:
        await h.app.state.journal.close()
        gone = await h.client.get("/readyz")
        assert gone.status_code == 503
        assert "not open" in gone.json()["error"]
        await h.app.state.journal.open()  # for the lifespan's own close


async def test_not_ready_until_warmed_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start-up warm-up (detectors compiled in a thread) gates readiness, not the
    acknowledgement of deliveries: /healthz and /webhooks answer meanwhile."""
    import asyncio
    import threading

    import httpx

    from app import main
    from tests.fakes.github import FakeGitHub
    from tests.harness import fake_gateway, settings

    release = threading.Event()
    monkeypatch.setattr(main, "warm_up", lambda: release.wait(10) and 0.0)
    app = main.create_app(
        settings(f"sqlite:///{tmp_path / 'j.db'}"), gateway=fake_gateway(FakeGitHub())
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            cold = await client.get("/readyz")
            assert (cold.status_code, cold.json()["warm"]) == (503, False)
            assert (await client.get("/healthz")).status_code == 200
            release.set()
            await asyncio.wait_for(app.state.warmed.wait(), 10)
            assert (await client.get("/readyz")).status_code == 200
