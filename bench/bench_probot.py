"""Acknowledgement throughput against Probot's, measured in one run (issue 16).

Probot 14.3.2 from npm (installed at run time into `bench/.cache/probot/`, needs node)
runs a minimal App: signature checked, JSON parsed, a no-op `pull_request` handler.
Ours is `release-roles serve` with its receiver alone (WORKER_IN_PROCESS=false,
SQLite): signature checked, JSON parsed, the delivery and its job written durably
before the 202. Both get the same real 25 KB `pull_request.opened` payload, each
with its own delivery id, from 16 connections that send the next request as soon as
the answer is read (closed loop), for a few seconds; rounds alternate the servers.

    python bench/bench_probot.py [--seconds 8] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
    args = parser.parse_args()
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
                rates["probot"].append(measure("probot", probot_port, args.seconds))
                for n, port in ours.items():
                    rates[f"ours x{n}"].append(measure(f"ours x{n}", port, args.seconds))
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
