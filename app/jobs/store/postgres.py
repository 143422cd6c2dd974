"""The store for more than one machine: Postgres, shared by web and worker replicas."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from app.jobs.store import schema
from app.jobs.store.group import Statements
from app.jobs.store.journal import SqlJournal


class PostgresJournal(SqlJournal):
    """For more than one machine: any number of web and worker replicas share it."""

    lock_clause = " FOR UPDATE SKIP LOCKED"
    # Delivered when the transaction commits: workers in other processes (and on
    # other machines) wake at once instead of at their next poll.
    notify = ("SELECT pg_notify(?, '')", (schema.CHANNEL,))

    async def listen(self, wake: Callable[[], None]) -> None:
        """LISTEN on a connection of its own until cancelled; reconnects after errors."""
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {schema.CHANNEL}")
                    wake()  # anything queued while we were not listening
                    async for _ in conn.notifies():
                        wake()
            except psycopg.Error:
                await asyncio.sleep(1.0)

    def __init__(self, url: str, pool_size: int = 8) -> None:
        self.url = url
        self.pool_size = pool_size
        self._pool: Any = None

    async def open(self) -> None:
        from psycopg_pool import AsyncConnectionPool

        # A pool, not one shared connection: a webhook's insert must not wait
        # behind a worker's statements.
        self._pool = AsyncConnectionPool(
            self.url,
            min_size=1,
            max_size=self.pool_size,
            kwargs={"autocommit": True},
            open=False,
        )
        await self._pool.open(wait=True)
        async with self._pool.connection() as conn, conn.transaction():
            # web and worker processes start together; serialise their CREATE TABLEs
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.SCHEMA_LOCK,))
            for statement in schema.TABLES:
                await conn.execute(statement.format(blob="BYTEA"))
            for table, column in schema.UPGRADES:
                await conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column}")
            for statement in schema.INDEXES:
                await conn.execute(statement)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _run(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        *,
        fetch: bool = False,
        fetch_all: bool = False,
    ) -> list[Any]:
        if self._pool is None:
            raise RuntimeError("journal is not open")
        results: list[Any] = []
        async with self._pool.connection() as conn, conn.transaction():
            for sql, params in statements:
                cursor = await conn.execute(sql.replace("?", "%s"), tuple(params))
                if fetch:
                    results.append(await cursor.fetchone())
                elif fetch_all:
                    results.append(await cursor.fetchall())
                else:
                    results.append(cursor.rowcount)
        return results

    async def _run_groups(self, groups: Sequence[Statements]) -> list[bool]:
        if self._pool is None:
            raise RuntimeError("journal is not open")
        results = []
        async with self._pool.connection() as conn, conn.transaction():
            for group in groups:
                if [sql for sql, _ in group] == _DELIVERY_AND_JOB:
                    results.append(await _delivery_with_job(conn, group[0][1], group[1][1]))
                    continue
                first, *rest = group
                cursor = await conn.execute(first[0].replace("?", "%s"), tuple(first[1]))
                if cursor.rowcount == 0:
                    results.append(False)
                    continue
                for sql, params in rest:
                    await conn.execute(sql.replace("?", "%s"), tuple(params))
                results.append(True)
        return results


# A delivery and its one job in one statement: psycopg spends some 50 µs of CPU on each
# execute, so a delivery's two statements were half of a Postgres receiver's CPU per
# delivery (bench_journal). The job is written only if the delivery row was new, as
# the two statements did. Recognised here rather than built in `accept`: a group's
# statements are what `_write_deliveries` reads to know jobs were queued (NOTIFY).
_DELIVERY_AND_JOB = [schema.INSERT_DELIVERY, schema.UPSERT_JOB]
DELIVERY_WITH_JOB = (
    "WITH d AS (" + schema.INSERT_DELIVERY.replace("?", "%s") + " RETURNING id), "
    "j AS (INSERT INTO jobs (key, job, delivery_id, enqueued_at, available_at) "
    "SELECT %s, %s, d.id, %s, %s FROM d "
    + schema.UPSERT_JOB[schema.UPSERT_JOB.index("ON CONFLICT") :]
    + ") SELECT count(*) FROM d"
)


async def _delivery_with_job(conn: Any, delivery: Sequence[Any], job: Sequence[Any]) -> bool:
    key, text, _, enqueued_at, available_at = job  # its delivery id is the row's own
    cursor = await conn.execute(
        DELIVERY_WITH_JOB, (*delivery, key, text, enqueued_at, available_at)
    )
    [(fresh,)] = await cursor.fetchall()
    return bool(fresh)
