"""Delivery bodies as the journal keeps them: zlib at its fastest level.

A webhook payload is mostly URLs that repeat the repository's: a 22 KB
`pull_request.opened` packs to 2.4 KB in 35 µs. Written raw, the body was most of what a
delivery cost the journal (SQLite: six overflow pages under the database's one write
lock, then copied again by the checkpoint), and two receiver processes spent their time
waiting for each other's writes: 0.88 of a minimal Probot app's acknowledgements a
second, 1.19 packed (best of three rounds, twice; bench/README.md, bench_probot).
`release-roles delivery ID` prints one back; rows from before have no encoding and are
the body as it came.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass

ZLIB = "zlib"


def pack(body: bytes) -> tuple[bytes, str]:
    return zlib.compress(body, 1), ZLIB


def unpack(blob: bytes, encoding: str | None) -> bytes:
    return zlib.decompress(blob) if encoding == ZLIB else bytes(blob)


@dataclass(frozen=True, slots=True)
class StoredDelivery:
    event: str
    action: str | None
    received_at: float  # Unix time
    body: bytes  # as GitHub sent it


def print_delivery(database_url: str, delivery_id: str) -> int:
    """`release-roles delivery ID`: the body to stdout as GitHub sent it, what it was to
    stderr; 1 when the journal does not hold it (never received, or pruned)."""
    import asyncio
    import sys

    from app.jobs.store import open_journal

    async def read() -> StoredDelivery | None:
        journal = open_journal(database_url)
        await journal.open()
        try:
            return await journal.delivery(delivery_id)
        finally:
            await journal.close()

    found = asyncio.run(read())
    if found is None:
        print(
            f"no delivery {delivery_id} in the journal (kept KEEP_DELIVERIES_DAYS)", file=sys.stderr
        )
        return 1
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(found.received_at))
    print(f"{found.event} {found.action or '-'} received {when}", file=sys.stderr)
    sys.stdout.buffer.write(found.body + b"\n")
    return 0
