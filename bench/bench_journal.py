"""What the journal costs a delivery, without HTTP: `accept` of a real 22 KB
`pull_request.opened` (packed, with its job) from 16 concurrent callers, on SQLite and,
where it answers, on Postgres. Prints deliveries a second and CPU per delivery (this
process: the event loop, the journal's thread, zstd), the figure the receiver's own
share of bench_probot is made of.

    python bench/bench_journal.py [--deliveries 20000] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.github.events import route  # noqa: E402
from app.jobs.store import open_journal  # noqa: E402
from bench.bench_server import journal_url  # noqa: E402
from tests.harness import SECRET, payload, signed  # noqa: E402

CONCURRENCY = 16


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(database_url: str, deliveries: int) -> tuple[float, float]:
    """(deliveries a second, µs of CPU a delivery)."""
    raw, _ = signed("pull_request", payload("pull_request.opened"), SECRET)
    jobs = route("pull_request", orjson.loads(raw), 1).jobs
    journal = open_journal(database_url)
    await journal.open()
    ids = iter([str(uuid.uuid4()) for _ in range(deliveries)])

    async def caller() -> None:
        for delivery_id in ids:
            await journal.accept(delivery_id, "pull_request", "opened", raw, jobs)

    try:
        cpu, started = _cpu(), time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(CONCURRENCY)))
        elapsed, used = time.perf_counter() - started, _cpu() - cpu
    finally:
        await journal.close()
    return deliveries / elapsed, 1e6 * used / deliveries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--database-url", default="postgresql://127.0.0.1/test")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import uvloop  # as the receiver runs

    print("| journal | round | deliveries/s | µs CPU / delivery |")
    print("|---|---:|---:|---:|")
    for name, given in (("SQLite", None), ("Postgres", args.database_url)):
        try:
            # a fresh SQLite file, or a schema of its own dropped afterwards
            with tempfile.TemporaryDirectory() as tmp, journal_url(given, tmp) as url:
                for round_ in range(1, args.rounds + 1):
                    rate, cpu = uvloop.run(measure(url, args.deliveries))
                    print(f"| {name} | {round_} | {rate:,.0f} | {cpu:.1f} |", flush=True)
        except (OSError, psycopg.OperationalError) as error:  # no Postgres here: say so
            print(f"| {name} | - | not reachable: {error} | |")


if __name__ == "__main__":
    main()
