"""Acknowledgement throughput against Probot's, measured in one run (issue 16).

Probot 14.3.2 from npm (installed at run time into `bench/.cache/probot/`, needs node)
runs a minimal App: signature checked, JSON parsed, a no-op `pull_request` handler.
Ours is `release-roles serve` with its receiver alone (WORKER_IN_PROCESS=false,
SQLite): signature checked, JSON parsed, the delivery and its job written durably
before the 202. Both get the same real 25 KB `pull_request.opened` payload, each
with its own delivery id, from 16 connections that send the next request as soon as
the answer is read (closed loop), for a few seconds; rounds alternate the servers.

The load comes from wrk (`apt install wrk`; a Lua script gives every request its
own delivery id) when it is on PATH, else from this script's own asyncio senders.
The load generator shares the machine's two cores with the server it measures: the
Python one needs most of a core, which is taken from whichever server uses more
CPU per request; wrk needs a fraction of one.

    python bench/bench_probot.py [--seconds 8] [--rounds 2] [--load wrk|python]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_server import RawClient, wait_for  # noqa: E402
from tests.harness import SECRET, SERVE, free_port, payload, private_key, serve_env, signed  # noqa: E402

PROBOT = "probot@14.3.2"
HOME = ROOT / "bench" / ".cache" / "probot"
APP = "module.exports = (app) => { app.on('pull_request', async () => {}); };\n"
CONNECTIONS = 16


def install_probot() -> Path:
    binary = HOME / "node_modules" / ".bin" / "probot"
    if not binary.exists():
        HOME.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", PROBOT], cwd=HOME, check=True
        )
    (HOME / "app.cjs").write_text(APP)
    return binary


def start_probot(binary: Path, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "APP_ID": "1",
        "PRIVATE_KEY": private_key(),
        "WEBHOOK_SECRET": SECRET,
        "PORT": str(port),
        "WEBHOOK_PATH": "/webhooks",
        "LOG_LEVEL": "warn",
    }
    return subprocess.Popen(
        [str(binary), "run", "./app.cjs"], cwd=HOME, env=env, stdout=subprocess.DEVNULL
    )


def start_ours(port: int, tmp: str, processes: int = 1) -> subprocess.Popen[bytes]:
    env = serve_env(
        port,
        f"sqlite:///{tmp}/journal-{processes}.db",
        WORKER_IN_PROCESS="false",
        DELIVERY_RECOVERY_SECONDS="0",
        LOG_LEVEL="WARNING",
        WEB_CONCURRENCY=str(processes),
    )
    return subprocess.Popen(SERVE, env=env, stdout=subprocess.DEVNULL)


def requests(count: int) -> list[bytes]:
    body = payload("pull_request.opened")
    return [
        RawClient.request(*signed("pull_request", body, SECRET, str(uuid.uuid4())))
        for _ in range(count)
    ]


async def closed_loop(
    port: int, batch: list[bytes], seconds: float
) -> tuple[float, dict[int, int]]:
    """Answers per second from CONNECTIONS senders for `seconds` (or until the batch
    runs out), and their statuses."""
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    deadline = started + seconds
    feed = iter(batch)

    async def sender() -> None:
        client = RawClient(port)
        for request in feed:
            if time.perf_counter() >= deadline:
                break
            status = await client.send(request)
            statuses[status] = statuses.get(status, 0) + 1
        client.close()

    await asyncio.gather(*(sender() for _ in range(CONNECTIONS)))
    return sum(statuses.values()) / (time.perf_counter() - started), statuses


# Each request gets its own X-GitHub-Delivery (a fixed one would be answered as a
# duplicate, which writes nothing); statuses are counted per thread and summed.
WRK_SCRIPT = """
local body = io.open(os.getenv("BENCH_BODY"), "rb"):read("*a")
local threads, sent = {}, 0
thread_id, statuses = 0, {}  -- globals: setup() and done() reach them through thread:set/get
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end
function init(args)
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["X-GitHub-Event"] = "pull_request"
  wrk.headers["X-Hub-Signature-256"] = os.getenv("BENCH_SIGNATURE")
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  sent = sent + 1
  wrk.headers["X-GitHub-Delivery"] = string.format(
    "%s-%d-%d", os.getenv("BENCH_RUN"), thread_id, sent)
  return wrk.format()
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  for status, n in pairs(total) do io.write(string.format("status %d %d\\n", status, n)) end
  io.write(string.format("rate %f\\n", summary.requests / (summary.duration / 1e6)))
end
"""


def measure_wrk(name: str, port: int, seconds: float, tmp: str) -> float:
    """The same closed loop driven by wrk: 2 threads, CONNECTIONS connections."""
    body = payload("pull_request.opened")
    raw, headers = signed("pull_request", body, SECRET)
    (Path(tmp) / "body.json").write_bytes(raw)
    (Path(tmp) / "load.lua").write_text(WRK_SCRIPT)
    env = os.environ | {
        "BENCH_BODY": str(Path(tmp) / "body.json"),
        "BENCH_SIGNATURE": headers["X-Hub-Signature-256"],
    }
    url = f"http://127.0.0.1:{port}/webhooks"

    def run(duration: float) -> tuple[float, dict[int, int]]:
        env["BENCH_RUN"] = str(uuid.uuid4())
        args = [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{max(1, round(duration))}s",
            "-s",
            f"{tmp}/load.lua",
            url,
        ]
        out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
        fields = [line.split() for line in out.splitlines()]
        statuses = {int(f[1]): int(f[2]) for f in fields if f and f[0] == "status"}
        rate = next(float(f[1]) for f in fields if f and f[0] == "rate")
        return rate, statuses

    run(1.0)  # warm: JIT, caches, connections
    rate, statuses = run(seconds)
    print(f"  {name:9} {rate:8.0f} req/s  {statuses}", flush=True)
    return rate


def measure(name: str, port: int, seconds: float) -> float:
    batch = requests(int(seconds * 10_000))
    asyncio.run(closed_loop(port, batch[:500], 1.0))  # warm: JIT, caches, connections
    rate, statuses = asyncio.run(closed_loop(port, batch[500:], seconds))
    print(f"  {name:9} {rate:8.0f} req/s  {statuses}", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--processes", default="1,2", help="receiver processes of ours (WEB_CONCURRENCY), each"
    )
    parser.add_argument(
        "--load", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    args = parser.parse_args()
    print(f"load generator: {args.load}")
    binary = install_probot()
    probot_port = free_port()
    ours = {int(n): free_port() for n in args.processes.split(",")}
    with tempfile.TemporaryDirectory() as tmp:
        servers = [start_probot(binary, probot_port)]
        servers += [start_ours(port, tmp, n) for n, port in ours.items()]
        try:
            wait_for(f"http://127.0.0.1:{probot_port}/ping")
            for port in ours.values():
                wait_for(f"http://127.0.0.1:{port}/healthz")
            rates: dict[str, list[float]] = {"probot": []} | {f"ours x{n}": [] for n in ours}
            for round_ in range(1, args.rounds + 1):
                print(f"round {round_}:")
                for name, port in [("probot", probot_port)] + [
                    (f"ours x{n}", port) for n, port in ours.items()
                ]:
                    if args.load == "wrk":
                        rate = measure_wrk(name, port, args.seconds, tmp)
                    else:
                        rate = measure(name, port, args.seconds)
                    rates[name].append(rate)
        finally:
            for server in servers:
                server.terminate()
                server.wait(20)
    best = {name: max(values) for name, values in rates.items()}
    print(f"\nbest of {args.rounds}: probot {best['probot']:.0f} req/s")
    for name, rate in best.items():
        if name != "probot":
            print(
                f"  {name} (processes): {rate:.0f} req/s = {rate / best['probot']:.2f} of Probot's"
            )


if __name__ == "__main__":
    main()
