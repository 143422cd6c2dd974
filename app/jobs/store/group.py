"""Group commit: deliveries that arrive while the journal is writing are written
together, in one transaction, as soon as that write is done; each caller is answered
when the transaction holding its delivery has committed.

No timer: a lone delivery is written at once, and under load the batch grows by itself
to whatever arrived during the previous write (a SQLite commit in WAL mode, or one
Postgres transaction), so the per-delivery cost of the commit shrinks as load grows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

Statements = Sequence[tuple[str, Sequence[Any]]]


class GroupCommit:
    def __init__(self, write: Callable[[list[Statements]], Awaitable[list[bool]]]) -> None:
        """`write` runs the groups in one transaction: a group's first statement that
        changes nothing (a delivery seen before) skips the rest of it and reads False."""
        self._write = write
        self._waiting: list[tuple[Statements, asyncio.Future[bool]]] = []
        self._writing = False

    async def submit(self, group: Statements) -> bool:
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((group, done))
        if not self._writing:
            self._writing = True
            asyncio.get_running_loop().create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    results = await self._write([group for group, _ in batch])
                except BaseException as error:  # each caller hears of it (a 500, retried)
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                    if not isinstance(error, Exception):
                        raise
                    continue
                for (_, done), fresh in zip(batch, results, strict=True):
                    if not done.done():
                        done.set_result(fresh)
        finally:
            self._writing = False
