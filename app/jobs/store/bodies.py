"""Delivery bodies as the journal keeps them: zstd at level 1.

A webhook payload is mostly URLs that repeat the repository's: a 22 KB
`pull_request.opened` packs to 1.9 KB in 11 µs (zlib's fastest level, used before:
2.4 KB in 25 µs). Written raw, the body was most of what a delivery cost the journal
(SQLite: six overflow pages under the database's one write lock, then copied again by
the checkpoint), and two receiver processes spent their time waiting for each other's
writes: 0.88 of a minimal Probot app's acknowledgements a second, 1.19 packed (best of
three rounds, twice; bench/README.md, bench_probot). `release-roles delivery ID` prints
one back; rows packed with zlib, or from before packing (no encoding), read as they
came.
"""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass

import zstandard

ZLIB = "zlib"
ZSTD = "zstd"
_ZSTD_LEVEL = 1
_packer = threading.local()  # a compressor context is not for two threads at once


def pack(body: bytes) -> tuple[bytes, str]:
    compressor = getattr(_packer, "zstd", None)
    if compressor is None:
        compressor = _packer.zstd = zstandard.ZstdCompressor(level=_ZSTD_LEVEL)
    return compressor.compress(body), ZSTD


def unpack(blob: bytes, encoding: str | None) -> bytes:
    if encoding == ZSTD:
        return zstandard.ZstdDecompressor().decompress(bytes(blob))
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
