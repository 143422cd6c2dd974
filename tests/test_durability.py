"""Every 202 is durable: `release-roles serve` killed with SIGKILL right after its last
answer has lost none of the deliveries it acknowledged (issue 16), on SQLite and on
Postgres. The receiver runs alone (WORKER_IN_PROCESS=false), so nothing consumes the
jobs before the kill; the journal is then reopened and asked about each delivery."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from app.jobs.store import open_journal
from tests.harness import INSTALLATION_ID, SECRET, SERVE, free_port, payload, serve_env, signed
from tests.test_logs import wait_for

pytestmark = pytest.mark.anyio
DELIVERIES = 25


def opened(number: int) -> dict[str, object]:
    body = payload("pull_request.opened")
    body["repository"] |= {"name": "shop", "full_name": "acme/shop"}
    body["repository"]["owner"]["login"] = "acme"
    body["pull_request"]["number"] = number
    body["installation"]["id"] = INSTALLATION_ID
    return body


async def test_a_202_survives_kill_9(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = serve_env(port, database_url, WORKER_IN_PROCESS="false")  # GitHub never called
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(SERVE, env=env, stdout=log, stderr=subprocess.STDOUT)
    ids = [str(uuid.uuid4()) for _ in range(DELIVERIES)]
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", ok={200})
        with httpx.Client(timeout=10) as client:
            for number, delivery_id in enumerate(ids, start=1):
                raw, headers = signed("pull_request", opened(number), SECRET, delivery_id)
                answer = client.post(f"{url}/webhooks", content=raw, headers=headers)
                assert answer.status_code == 202, answer.text
        proc.send_signal(signal.SIGKILL)  # no shutdown, no flush: what was said stands
    finally:
        proc.kill()
        proc.wait(timeout=20)
        log.close()
    journal = open_journal(database_url)
    await journal.open()
    try:
        # a delivery the journal already holds is a duplicate: accept() says False
        again = [await journal.accept(d, "pull_request", "opened", b"{}", []) for d in ids]
        assert again == [False] * DELIVERIES
        assert await journal.pending() == DELIVERIES  # one job per pull request, each queued
    finally:
        await journal.close()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


async def test_several_receiver_processes_share_the_journal(
    database_url: str, tmp_path: Path
) -> None:
    """WEB_CONCURRENCY=2: two receiver processes, the .env's secret read by both, every
    202 durable when the whole group is killed with SIGKILL."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    port = free_port()
    env = serve_env(port, database_url, WORKER_IN_PROCESS="false", WEB_CONCURRENCY="2")
    del env["GITHUB_WEBHOOK_SECRET"]  # in the .env only: each process must read it there
    (tmp_path / ".env").write_text(f"GITHUB_WEBHOOK_SECRET={SECRET}\n")
    proc = subprocess.Popen(
        SERVE, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, start_new_session=True
    )
    ids = [str(uuid.uuid4()) for _ in range(40)]
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", ok={200})
        assert len(children(proc.pid)) >= 2  # the two receivers (uvicorn supervises them)

        def post(item: tuple[int, str]) -> int:
            raw, headers = signed("pull_request", opened(item[0]), SECRET, item[1])
            return httpx.post(f"{url}/webhooks", content=raw, headers=headers).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(post, enumerate(ids, start=1)))
        assert statuses == [202] * len(ids)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)
    journal = open_journal(database_url)
    await journal.open()
    try:
        again = [await journal.accept(d, "pull_request", "opened", b"{}", []) for d in ids]
        assert again == [False] * len(ids)
    finally:
        await journal.close()
