"""The GitHub App under load, over real HTTP on loopback.

Three processes: the fake GitHub (tests/fakes/github.py under uvicorn), the app
(`release-roles serve`, its own SQLite or Postgres journal) and this load
generator. Measures, from outside the app:

1. delivery -> check: a signed `pull_request.opened` for a 50-file PR until the
   app logs `evaluated` for it (the check run is written by then), and the GitHub
   calls that evaluation made (the app's own `github_calls` log field);
2. webhook acknowledgement latency at a fixed arrival rate (open loop: requests
   are sent on schedule whether or not earlier ones have been answered, so a slow
   server cannot hide its queueing), while the worker evaluates the PRs those
   deliveries name against the fake GitHub.

    python bench/bench_server.py                      # SQLite journal, 200 req/s for 10 s
    python bench/bench_server.py --database-url postgresql://127.0.0.1/test
    python bench/bench_server.py --split              # serve beside `release-roles worker`
    python bench/bench_server.py --on-loop            # serve evaluating on its own loop
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.harness import (  # noqa: E402
    INSTALLATION_ID,
    SECRET,
    free_port,
    payload,
    private_key,
    signed,
)

PULLS = 50
FILES_PER_PULL = 50
CONFIG = """\
version: 1
roles:
  dba: {reviewers: {teams: [dba]}, when: [{detector: migrations}]}
  security: {reviewers: {teams: [appsec]}, when: [{detector: auth}, {detector: dependencies}]}
  sre: {reviewers: {teams: [sre]}, when: [{detector: infra}]}
"""


# --- the fake GitHub process -------------------------------------------------------------


# the base's workflow and requirements, which even-numbered PRs edit (read whole at the
# merge base and the head): the second kind of PR whose calls the bench prints
DEPLOY = ".github/workflows/deploy.yml"
REQUIREMENTS = "requirements.txt"


def deploy(n: int) -> str:
    steps = f"    steps:\n      - run: make v{n}\n"
    return f"on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n{steps}"


def kind(n: int) -> str:
    return "edits a workflow and requirements" if n % 2 == 0 else "adds its files"


def pull_files(n: int) -> dict[str, str | None]:
    files: dict[str, str | None] = {
        f"db/migrate/2026110{n:04}_add_col.rb": (
            "class AddCol < ActiveRecord::Migration[7.1]\n"
            "  def change\n    add_column :orders, :sku, :string\n  end\nend\n"
        ),
        "app/auth/session.py": f"SESSION_TTL = {n}\n",
        ".github/workflows/ci.yml": f"on: push\njobs: {{build: {{runs-on: ubuntu-{n}}}}}\n",
    }
    if n % 2 == 0:
        files[DEPLOY] = deploy(n)
        files[REQUIREMENTS] = f"requests==2.32.{n}\nflask==3.1.0\n"
    for i in range(FILES_PER_PULL - len(files)):
        files[f"src/mod{i:02}.py"] = "".join(f"value_{j} = {n * j}\n" for j in range(30))
    return files


def serve_fake(port: int) -> None:
    import uvicorn

    from tests.fakes.github import FakeGitHub

    fake = FakeGitHub()
    base = {f"src/mod{i:02}.py": "".join(f"value_{j} = 0\n" for j in range(30)) for i in range(47)}
    base[".github/release-roles.yml"] = CONFIG
    base[DEPLOY] = deploy(0)
    base[REQUIREMENTS] = "requests==2.31.0\nflask==3.1.0\n"
    repo = fake.repo("acme", "shop", base)
    for slug, members in {"dba": {"dana"}, "appsec": {"sam"}, "sre": {"sue"}}.items():
        fake.team("acme", slug, members)
    repo.collaborators |= {"dana", "sam", "sue", "alice"}
    for n in range(1, PULLS + 1):
        fake.push(repo, f"change-{n}", pull_files(n))
        fake.open_pull(repo, f"change-{n}", author="alice")
    uvicorn.run(fake.app, host="127.0.0.1", port=port, log_level="warning")


# --- the app process ---------------------------------------------------------------------


class App:
    """`release-roles serve` (and with `split`, a `release-roles worker`) in
    subprocesses; their JSON log lines are collected."""

    def __init__(
        self, port: int, api_port: int, database_url: str, split: bool, on_loop: bool = False
    ) -> None:
        env = os.environ | {
            "GITHUB_APP_ID": "4242",
            "GITHUB_PRIVATE_KEY": private_key(),
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": f"http://127.0.0.1:{api_port}",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
            "PORT": str(port),
            "WORKER_IN_PROCESS": "false" if split else "true",
            "WORKER_SUBPROCESS": "false" if on_loop else "true",
        }
        exe = str(Path(sys.executable).parent / "release-roles")
        commands = [[exe, "serve", "--host", "127.0.0.1"]] + ([[exe, "worker"]] if split else [])
        self.procs = [
            subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            for command in commands
        ]
        self.proc = self.procs[0]
        self.evaluated: dict[str, list[tuple[float, dict[str, Any]]]] = {}
        self.errors: list[str] = []
        self._lock = threading.Lock()
        for proc in self.procs:
            threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                if record.get("event") == "evaluated":
                    self.evaluated.setdefault(record["job"], []).append(
                        (time.perf_counter(), record)
                    )
                elif record.get("level") in {"error", "warning"}:
                    self.errors.append(line.strip())

    def evaluations(self, job: str) -> list[tuple[float, dict[str, Any]]]:
        with self._lock:
            return list(self.evaluated.get(job, []))

    def total_evaluations(self) -> int:
        with self._lock:
            return sum(len(v) for v in self.evaluated.values())

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(10)


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up in {timeout:.0f} s")


# --- deliveries --------------------------------------------------------------------------


def pr_body(action: str, number: int) -> dict[str, Any]:
    body = payload("pull_request.opened")
    body["action"] = action
    body["repository"] |= {"name": "shop", "full_name": "acme/shop", "id": 1001}
    body["repository"]["owner"]["login"] = "acme"
    body["pull_request"]["number"] = number
    body["installation"]["id"] = INSTALLATION_ID
    return body


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def one_by_one(client: httpx.AsyncClient, app: App, count: int) -> list[dict[str, Any]]:
    """Each PR opened alone: delivery -> `evaluated` time and GitHub calls."""
    rows = []
    for number in range(1, count + 1):
        job = f"pull:acme/shop#{number}"
        raw, headers = signed("pull_request", pr_body("opened", number))
        start = time.perf_counter()
        response = await client.post("/webhooks", content=raw, headers=headers)
        assert response.status_code == 202, response.text
        while not app.evaluations(job):
            await asyncio.sleep(0.002)
            if time.perf_counter() - start > 30:
                raise SystemExit(f"no evaluation of {job}: {app.errors[-5:]}")
        done, record = app.evaluations(job)[0]
        rows.append(
            {
                "kind": kind(number),
                "seconds": done - start,
                "calls": record["github_calls"],
                "routes": record["calls_by_route"],
                "title": record["title"],
            }
        )
    return rows


async def again(client: httpx.AsyncClient, app: App, numbers: range) -> list[tuple[str, int]]:
    """A label on each PR (its head and base unmoved): the calls of a re-evaluation."""
    calls = []
    for number in numbers:
        job = f"pull:acme/shop#{number}"
        seen = len(app.evaluations(job))
        raw, headers = signed("pull_request", pr_body("labeled", number))
        response = await client.post("/webhooks", content=raw, headers=headers)
        assert response.status_code == 202, response.text
        start = time.perf_counter()
        while len(app.evaluations(job)) == seen:
            await asyncio.sleep(0.002)
            if time.perf_counter() - start > 30:
                raise SystemExit(f"no re-evaluation of {job}: {app.errors[-5:]}")
        calls.append((kind(number), int(app.evaluations(job)[-1][1]["github_calls"])))
    return calls


class RawClient:
    """Pre-serialised HTTP/1.1 requests over kept-alive loopback connections.

    httpx costs about a millisecond of CPU per request, which on two cores shared
    with the app and the fake GitHub measures the client more than the server;
    this costs tens of microseconds. A connection is opened whenever all are busy,
    so a slow answer never delays the next send (open loop).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    @staticmethod
    def request(raw: bytes, headers: dict[str, str]) -> bytes:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        return (
            f"POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
            f"Content-Length: {len(raw)}\r\n\r\n"
        ).encode() + raw

    async def send(self, request: bytes) -> int:
        while self.idle:
            reader, writer = self.idle.pop()
            try:
                writer.write(request)
                if status_line := await reader.readline():
                    break
            except (ConnectionResetError, BrokenPipeError):
                pass
            writer.close()  # the server closed it while idle (keep-alive timeout)
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.write(request)
            status_line = await reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await reader.readexactly(length)
        self.idle.append((reader, writer))
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def open_loop(
    port: int, rate: float, seconds: float, quiet: bool = False
) -> tuple[list[float], dict[int | str, int], float]:
    """Send deliveries on a fixed schedule; each one's latency runs from the moment
    it was due to be sent until its answer was read."""
    rng = random.Random(7)
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    total = int(rate * seconds)
    client = RawClient(port)

    async def send(request: bytes, due: float) -> None:
        try:
            outcome: int | str = await client.send(request)
        except (OSError, IndexError, ValueError, asyncio.IncompleteReadError) as error:
            outcome = type(error).__name__
        else:
            latencies.append(time.perf_counter() - due)
        statuses[outcome] = statuses.get(outcome, 0) + 1

    requests = []
    for _ in range(total):
        if quiet:  # recorded, routed to nothing: the receiver alone
            requests.append(
                RawClient.request(*signed("issue_comment", payload("issue_comment.created")))
            )
            continue
        action = rng.choice(["synchronize", "labeled", "edited", "synchronize"])
        number = rng.randint(1, PULLS)
        requests.append(RawClient.request(*signed("pull_request", pr_body(action, number))))
    tasks = []
    t0 = time.perf_counter()
    for i, request in enumerate(requests):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(request, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    client.close()
    return latencies, statuses, elapsed


async def drive(port: int, app: App, rate: float, seconds: float) -> dict[str, Any]:
    # Expire idle connections before uvicorn's 5 s keep-alive does, so a request
    # never races the server closing its connection.
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200, keepalive_expiry=2.0)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30.0
    ) as client:
        single = await one_by_one(client, app, 10)
        repeated = await again(client, app, range(2, 6))
        before = app.total_evaluations()
        latencies, statuses, elapsed = await open_loop(
            port, rate, seconds, quiet=bool(os.environ.get("BENCH_QUIET"))
        )
        # let the worker drain what the burst queued
        quiet_since = time.perf_counter()
        last = app.total_evaluations()
        while time.perf_counter() - quiet_since < 3.0:
            await asyncio.sleep(0.2)
            now = app.total_evaluations()
            if now != last:
                last, quiet_since = now, time.perf_counter()
        drained = time.perf_counter() - quiet_since + 3.0
    return {
        "single": single,
        "again": repeated,
        "latencies": latencies,
        "statuses": statuses,
        "elapsed": elapsed,
        "evaluations_during_load": app.total_evaluations() - before,
        "drained": drained,
    }


def report(result: dict[str, Any], rate: float, seconds: float, database: str) -> None:
    single = result["single"]
    warm = single[1:]
    lat = [x * 1000 for x in result["latencies"]]
    print(f"journal: {database}")
    print(f"delivery -> check, 50-file PR, one at a time ({len(single)} PRs):")
    print(
        f"  first (cold token)  {single[0]['seconds'] * 1000:7.1f} ms  {single[0]['calls']} calls"
    )
    print(
        f"  warm median         {statistics.median(r['seconds'] for r in warm) * 1000:7.1f} ms"
        f"  max {max(r['seconds'] for r in warm) * 1000:.1f} ms"
    )
    print("  GitHub calls per evaluation, by kind of PR (warm: token and teams cached):")
    for name in sorted({r["kind"] for r in warm}):
        first = sorted({r["calls"] for r in warm if r["kind"] == name})
        repeat = sorted({calls for k, calls in result["again"] if k == name})
        print(f"    {name:34} new PR {first}  re-evaluated (a label) {repeat}")
    print(f"  routes of a new PR  {warm[0]['routes']}")
    print(f"  title               {single[0]['title']}")
    print(f"acknowledgements at {rate:.0f} req/s for {seconds:.0f} s ({len(lat)} deliveries):")
    print(f"  achieved rate       {len(lat) / result['elapsed']:.1f} req/s")
    print(f"  status codes        {result['statuses']}")
    print(
        f"  latency ms          p50 {percentile(lat, 0.5):.1f}  p90 {percentile(lat, 0.9):.1f}"
        f"  p99 {percentile(lat, 0.99):.1f}  max {max(lat):.1f}"
    )
    print(
        f"  evaluations         {result['evaluations_during_load']} for {len(lat)} deliveries "
        f"on {PULLS} PRs (coalesced)"
    )


@contextlib.contextmanager
def journal_url(given: str | None, tmp: str) -> Iterator[str]:
    """A fresh SQLite file, or a fresh schema in the given Postgres database."""
    if given is None:
        yield f"sqlite:///{tmp}/journal.db"
        return
    import psycopg

    schema = f"bench_{os.getpid()}"
    with psycopg.connect(given, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        try:
            separator = "&" if "?" in given else "?"
            yield f"{given}{separator}options=-csearch_path%3D{schema}"
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database-url")
    parser.add_argument("--split", action="store_true", help="web and worker in separate processes")
    parser.add_argument(
        "--on-loop", action="store_true", help="serve evaluating on its own event loop"
    )
    parser.add_argument("--fake", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake:
        serve_fake(args.fake)
        return
    api_port, app_port = free_port(), free_port()
    fake = subprocess.Popen([sys.executable, __file__, "--fake", str(api_port)])
    with tempfile.TemporaryDirectory() as tmp, journal_url(args.database_url, tmp) as database_url:
        app = None
        try:
            wait_for(f"http://127.0.0.1:{api_port}/docs")
            app = App(app_port, api_port, database_url, args.split, args.on_loop)
            wait_for(f"http://127.0.0.1:{app_port}/healthz")
            result = asyncio.run(drive(app_port, app, args.rate, args.seconds))
            mode = (
                "web + worker processes"
                if args.split
                else "serve, evaluating on its loop"
                if args.on_loop
                else "serve (its worker child)"
            )
            report(result, args.rate, args.seconds, f"{database_url.split(':', 1)[0]}, {mode}")
            if app.errors:
                print(f"app warnings/errors: {len(app.errors)}; last: {app.errors[-1][:300]}")
        finally:
            if app is not None:
                app.stop()
            fake.terminate()
            fake.wait(10)


if __name__ == "__main__":
    main()
