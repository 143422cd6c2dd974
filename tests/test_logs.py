"""What `release-roles serve` writes, read from the real process: every line on
stdout one JSON object (uvicorn's own lines too), nothing on stderr, and no secret
in any line of an end-to-end run (the webhook secret, the private key, the
installation token the fake GitHub issued)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.fakes.github import FakeGitHub
from tests.harness import (
    INSTALLATION_ID,
    SECRET,
    SERVE,
    free_port,
    payload,
    private_key,
    serve_env,
    signed,
)

CONFIG = "version: 1\nroles:\n  dba: {reviewers: {teams: [dba]}, when: [{detector: migrations}]}\n"
OLD_SECRET = "the secret before the rotation"
MIGRATION = (
    "class Drop < ActiveRecord::Migration[7.1]\n"
    "  def change\n    remove_column :users, :email\n  end\nend\n"
)


@pytest.fixture
def github() -> Iterator[tuple[int, FakeGitHub]]:
    """The fake GitHub over real HTTP, with one PR that needs the DBA."""
    fake = FakeGitHub()
    repo = fake.repo("acme", "shop", {".github/release-roles.yml": CONFIG})
    fake.team("acme", "dba", {"dana"})
    fake.push(repo, "drop", {"db/migrate/20261201_drop.rb": MIGRATION})
    fake.open_pull(repo, "drop", author="alice")
    with served(fake) as port:
        yield port, fake


@contextmanager
def served(fake: FakeGitHub) -> Iterator[int]:
    """The fake GitHub over real HTTP on a free port, for processes the test starts."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(f"http://127.0.0.1:{port}/zen", ok={200, 404})
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def wait_for(url: str, ok: set[int]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code in ok:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError(f"{url} did not come up")


def delivery(event: str, body: dict[str, Any], secret: str = SECRET) -> dict[str, Any]:
    raw, headers = signed(event, body, secret)
    return {"content": raw, "headers": headers}


def opened() -> dict[str, Any]:
    body = payload("pull_request.opened")
    body["repository"] |= {"name": "shop", "full_name": "acme/shop"}
    body["repository"]["owner"]["login"] = "acme"
    body["pull_request"]["number"] = 1
    body["installation"]["id"] = INSTALLATION_ID
    return body


def test_an_end_to_end_run_logs_json_lines_and_no_secret(
    github: tuple[int, FakeGitHub], tmp_path: Path
) -> None:
    (api_port, fake), key, port = github, private_key(), free_port()
    env = serve_env(
        port,
        f"sqlite:///{tmp_path / 'journal.db'}",
        api_port,
        GITHUB_WEBHOOK_SECRET_PREVIOUS=OLD_SECRET,  # a rotation in progress
        LOG_LEVEL="DEBUG",
    )
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("wb") as out_file, stderr.open("wb") as err_file:
        proc = subprocess.Popen(SERVE, env=env, stdout=out_file, stderr=err_file)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", ok={200})
        bad = httpx.post(f"{url}/webhooks", **delivery("ping", {}, "wrong"))
        assert bad.status_code == 401
        ping = httpx.post(f"{url}/webhooks", **delivery("ping", {}, OLD_SECRET))
        assert ping.status_code == 200
        good = httpx.post(f"{url}/webhooks", **delivery("pull_request", opened()))
        assert good.status_code == 202
        deadline = time.monotonic() + 30
        while b'"evaluated"' not in stdout.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    out, err = stdout.read_bytes(), stderr.read_bytes()
    lines = out.decode().splitlines()
    records = [json.loads(line) for line in lines]  # each line alone is one JSON object
    assert all(isinstance(r, dict) and {"event", "level", "timestamp"} <= r.keys() for r in records)
    events = {r["event"] for r in records}
    assert "webhook_bad_signature" in events
    assert "webhook_previous_secret" in events  # the rotation is not over yet
    assert "evaluated" in events
    assert any(r.get("logger", "").startswith("uvicorn") for r in records)  # uvicorn's own lines
    assert fake.check_runs, "the run never reached GitHub: nothing was checked"
    assert err == b""
    everything = out + err
    secrets = [SECRET, OLD_SECRET, f"ghs_fake{INSTALLATION_ID}", *key.splitlines()[1:-1]]
    assert not [s for s in secrets if s.encode() in everything]


def test_serve_evaluates_in_a_child_process_it_restarts(
    github: tuple[int, FakeGitHub], tmp_path: Path
) -> None:
    """The default: the receiver only records; its worker child evaluates, is woken by
    a signal, and is started again when it dies (kill -9), /readyz saying so."""
    (api_port, fake), port = github, free_port()
    env = serve_env(port, f"sqlite:///{tmp_path / 'journal.db'}", api_port)
    stdout = tmp_path / "stdout"
    with stdout.open("wb") as out_file:
        proc = subprocess.Popen(SERVE, env=env, stdout=out_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def evaluations() -> int:
        return stdout.read_bytes().count(b'"evaluated"')

    def ready() -> dict[str, Any]:
        wait_for(f"{url}/readyz", ok={200})
        body: dict[str, Any] = httpx.get(f"{url}/readyz").json()
        return body

    try:
        first = ready()["worker_process"]
        assert first["alive"]
        assert first["pid"] != proc.pid
        # evaluations yield the CPU to acknowledgements
        assert _niceness(first["pid"]) == min(19, _niceness(proc.pid) + 10)
        for n in (1, 2):
            if n == 2:
                os.kill(first["pid"], signal.SIGKILL)
                deadline = time.monotonic() + 30
                while ready()["worker_process"]["pid"] == first["pid"]:
                    assert time.monotonic() < deadline, "the worker child was not restarted"
                    time.sleep(0.1)
            answer = httpx.post(f"{url}/webhooks", **delivery("pull_request", opened()))
            assert answer.status_code == 202
            assert "server" not in answer.headers  # nothing to tell a scanner
            deadline = time.monotonic() + 30
            while evaluations() < n:
                assert time.monotonic() < deadline, stdout.read_text()[-2000:]
                time.sleep(0.05)
        assert ready()["worker_process"]["restarts"] == 1
        assert _niceness(ready()["worker_process"]["pid"]) == min(19, _niceness(proc.pid) + 10)
        assert fake.check_runs
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert b"worker_child_exited" in stdout.read_bytes()


def test_the_worker_child_stops_when_serve_is_killed(
    github: tuple[int, FakeGitHub], tmp_path: Path
) -> None:
    """serve killed with SIGKILL cannot stop its child: the child sees it is orphaned and
    stops by itself, so a restarted serve never has a stray worker beside its own."""
    (api_port, _), port = github, free_port()
    env = serve_env(port, f"sqlite:///{tmp_path / 'journal.db'}", api_port)
    proc = subprocess.Popen(SERVE, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/readyz", ok={200})
        child = httpx.get(f"http://127.0.0.1:{port}/readyz").json()["worker_process"]["pid"]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while Path(f"/proc/{child}").exists() and b"zombie" not in _state(child):
            assert time.monotonic() < deadline, "the orphaned worker kept running"
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def _state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes()
    except OSError:
        return b"zombie"


def test_worker_subprocess_false_keeps_serve_one_process(
    github: tuple[int, FakeGitHub], tmp_path: Path
) -> None:
    (api_port, _), port = github, free_port()
    env = serve_env(port, f"sqlite:///{tmp_path / 'j.db'}", api_port, WORKER_SUBPROCESS="false")
    proc = subprocess.Popen(SERVE, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/readyz", ok={200})
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz").json()
        assert "worker_process" not in ready
        assert ready["worker_loops"] == ready["expected_loops"] > 0  # on serve's own loop
    finally:
        proc.terminate()
        proc.wait(timeout=30)
