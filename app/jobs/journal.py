"""The durable journal of deliveries and the per-PR job queue, on SQLite or Postgres.

A delivery is written (and its jobs queued) in one transaction before the
webhook is answered, so an accepted event survives a crash. Jobs coalesce by
key: a newer event for the same pull request replaces the waiting job
(latest wins) and bumps its generation, so a job that was running when the
event came is run once more instead of being lost. A claimed job is leased;
if its worker dies the lease runs out and another worker takes it.

Both backends share the SQL; Postgres adds `FOR UPDATE SKIP LOCKED` so any
number of replicas can claim from one table.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from app.jobs.model import Claimed, Job

LEASE_SECONDS = 120.0
CHANNEL = "release_roles_jobs"
_SCHEMA_LOCK = 0x52524A4E  # "RRJN": the advisory lock taken while creating tables

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS deliveries (
        id TEXT PRIMARY KEY,
        event TEXT NOT NULL,
        action TEXT,
        received_at DOUBLE PRECISION NOT NULL,
        body {blob} NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS jobs (
        key TEXT PRIMARY KEY,
        job TEXT NOT NULL,
        delivery_id TEXT,
        enqueued_at DOUBLE PRECISION NOT NULL,
        available_at DOUBLE PRECISION NOT NULL,
        leased_until DOUBLE PRECISION NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        generation INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS removed_reviewers (
        repo TEXT NOT NULL,
        number INTEGER NOT NULL,
        reviewer TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL DEFAULT 0,
        PRIMARY KEY (repo, number, reviewer)
    )""",
    """CREATE TABLE IF NOT EXISTS check_runs (
        repo TEXT NOT NULL,
        head_sha TEXT NOT NULL,
        name TEXT NOT NULL,
        check_run_id BIGINT NOT NULL,
        content_hash TEXT NOT NULL,
        saved_at DOUBLE PRECISION NOT NULL DEFAULT 0,
        PRIMARY KEY (repo, head_sha, name)
    )""",
)
# Columns added after the first release: journals created before get them on open.
_UPGRADES = (
    ("removed_reviewers", "saved_at DOUBLE PRECISION NOT NULL DEFAULT 0"),
    ("check_runs", "saved_at DOUBLE PRECISION NOT NULL DEFAULT 0"),
)
_INSERT_DELIVERY = (
    "INSERT INTO deliveries (id, event, action, received_at, body) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO NOTHING"
)
_UPSERT_JOB = (
    "INSERT INTO jobs (key, job, delivery_id, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET job = excluded.job, delivery_id = excluded.delivery_id, "
    "enqueued_at = excluded.enqueued_at, available_at = excluded.available_at, attempts = 0, "
    "generation = jobs.generation + 1"
)
_CLAIM = (
    "UPDATE jobs SET leased_until = ?, attempts = attempts + 1 WHERE key = ("
    "SELECT key FROM jobs WHERE available_at <= ? AND leased_until <= ? "
    "ORDER BY available_at, enqueued_at LIMIT 1{lock}) "
    "RETURNING job, generation, attempts"
)
_FINISH = "DELETE FROM jobs WHERE key = ? AND generation = ?"
_RELEASE = "UPDATE jobs SET leased_until = 0 WHERE key = ?"
_RETRY = "UPDATE jobs SET leased_until = 0, available_at = ? WHERE key = ? AND generation = ?"


class Journal(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def accept(
        self, delivery_id: str, event: str, action: str | None, body: bytes, jobs: Sequence[Job]
    ) -> bool:
        """Record a delivery and queue its jobs; False if this delivery was seen before."""
        ...

    async def enqueue(self, jobs: Sequence[Job]) -> None: ...
    async def claim(self, now: float | None = None) -> Claimed | None: ...
    async def finish(self, claimed: Claimed) -> None: ...
    async def retry(self, claimed: Claimed, delay: float) -> None: ...
    async def pending(self) -> int: ...
    async def prune(self, older_than: float, records_older_than: float | None = None) -> int: ...
    async def remember_removed(self, repo: str, number: int, reviewer: str) -> None: ...
    async def removed_reviewers(self, repo: str, number: int) -> set[str]: ...
    async def check_run(self, repo: str, sha: str, name: str) -> tuple[int, str] | None: ...
    async def save_check_run(
        self, repo: str, sha: str, name: str, check_run_id: int, content_hash: str
    ) -> None: ...
    async def listen(self, wake: Callable[[], None]) -> None:
        """Call `wake` whenever another process queues a job; return at once where the
        backend cannot tell (workers then poll)."""
        ...


class _SqlJournal:
    """The shared logic; subclasses run statements on their own connection."""

    lock_clause = ""
    notify: tuple[str, Sequence[Any]] | None = None  # run after queueing jobs, if set

    async def listen(self, wake: Callable[[], None]) -> None:
        return None

    async def _run(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        *,
        fetch: bool = False,
        fetch_all: bool = False,
        stop_if_first_unchanged: bool = False,
    ) -> list[Any]:
        """Run `statements` in one transaction; one result per statement (a row, all
        rows, or the row count). With `stop_if_first_unchanged`, roll back and return
        [] when the first statement changed nothing (a duplicate delivery)."""
        raise NotImplementedError

    async def accept(
        self, delivery_id: str, event: str, action: str | None, body: bytes, jobs: Sequence[Job]
    ) -> bool:
        now = time.time()
        statements: list[tuple[str, Sequence[Any]]] = [
            (_INSERT_DELIVERY, (delivery_id, event, action, now, body))
        ]
        statements += [(_UPSERT_JOB, (job.key, job.dumps(), delivery_id, now, now)) for job in jobs]
        if jobs and self.notify:
            statements.append(self.notify)
        results = await self._run(statements, stop_if_first_unchanged=True)
        return bool(results)

    async def enqueue(self, jobs: Sequence[Job]) -> None:
        now = time.time()
        statements: list[tuple[str, Sequence[Any]]] = [
            (_UPSERT_JOB, (j.key, j.dumps(), None, now, now)) for j in jobs
        ]
        if jobs and self.notify:
            statements.append(self.notify)
        await self._run(statements)

    async def claim(self, now: float | None = None) -> Claimed | None:
        now = time.time() if now is None else now
        sql = _CLAIM.format(lock=self.lock_clause)
        [row] = await self._run([(sql, (now + LEASE_SECONDS, now, now))], fetch=True)
        if row is None:
            return None
        job_text, generation, attempts = row
        return Claimed(Job.loads(job_text), int(generation), int(attempts))

    async def finish(self, claimed: Claimed) -> None:
        key = claimed.job.key
        await self._run([(_FINISH, (key, claimed.generation)), (_RELEASE, (key,))])

    async def retry(self, claimed: Claimed, delay: float) -> None:
        key = claimed.job.key
        await self._run(
            [(_RETRY, (time.time() + delay, key, claimed.generation)), (_RELEASE, (key,))]
        )

    async def pending(self) -> int:
        [row] = await self._run([("SELECT COUNT(*) FROM jobs", ())], fetch=True)
        return int(row[0]) if row else 0

    async def prune(self, older_than: float, records_older_than: float | None = None) -> int:
        """Forget deliveries received before `older_than` (a Unix time; their bodies are
        the bulk of the journal, and a redelivery that old is accepted as new), and
        check-run and removed-reviewer records saved before `records_older_than`."""
        statements: list[tuple[str, Sequence[Any]]] = [
            ("DELETE FROM deliveries WHERE received_at < ?", (older_than,))
        ]
        if records_older_than is not None:
            statements += [
                ("DELETE FROM check_runs WHERE saved_at < ?", (records_older_than,)),
                ("DELETE FROM removed_reviewers WHERE saved_at < ?", (records_older_than,)),
            ]
        counts = await self._run(statements)
        return int(sum(counts))

    async def remember_removed(self, repo: str, number: int, reviewer: str) -> None:
        sql = (
            "INSERT INTO removed_reviewers (repo, number, reviewer, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (repo, number, reviewer) DO UPDATE SET saved_at = excluded.saved_at"
        )
        await self._run([(sql, (repo.lower(), number, reviewer.lower(), time.time()))])

    async def removed_reviewers(self, repo: str, number: int) -> set[str]:
        sql = "SELECT reviewer FROM removed_reviewers WHERE repo = ? AND number = ?"
        rows = await self._run([(sql, (repo.lower(), number))], fetch_all=True)
        return {str(r[0]) for r in rows[0]}

    async def check_run(self, repo: str, sha: str, name: str) -> tuple[int, str] | None:
        sql = (
            "SELECT check_run_id, content_hash FROM check_runs "
            "WHERE repo = ? AND head_sha = ? AND name = ?"
        )
        [row] = await self._run([(sql, (repo.lower(), sha, name))], fetch=True)
        return (int(row[0]), str(row[1])) if row else None

    async def save_check_run(
        self, repo: str, sha: str, name: str, check_run_id: int, content_hash: str
    ) -> None:
        sql = (
            "INSERT INTO check_runs (repo, head_sha, name, check_run_id, content_hash, saved_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (repo, head_sha, name) DO UPDATE SET "
            "check_run_id = excluded.check_run_id, content_hash = excluded.content_hash, "
            "saved_at = excluded.saved_at"
        )
        values = (repo.lower(), sha, name, check_run_id, content_hash, time.time())
        await self._run([(sql, values)])


class SqliteJournal(_SqlJournal):
    """The embedded default: one file, WAL mode, statements run in a thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        for statement in _SCHEMA:
            self._conn.execute(statement.format(blob="BLOB"))
        for table, column in _UPGRADES:
            existing = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if column.split()[0] not in existing:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")

    async def close(self) -> None:
        async with self._lock:  # after any statement still running in its thread
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    async def _run(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        *,
        fetch: bool = False,
        fetch_all: bool = False,
        stop_if_first_unchanged: bool = False,
    ) -> list[Any]:
        async with self._lock:
            running = asyncio.ensure_future(
                asyncio.to_thread(
                    self._transaction, statements, fetch, fetch_all, stop_if_first_unchanged
                )
            )
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                # A thread cannot be cancelled: hold the lock until it is done, or the
                # next statement (or close(), which crashed sqlite) would share the
                # connection with it.
                await asyncio.wait({running})
                raise

    def _transaction(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        fetch: bool,
        fetch_all: bool,
        stop_if_first_unchanged: bool,
    ) -> list[Any]:
        conn = self._conn
        if conn is None:
            raise RuntimeError("journal is not open")
        results: list[Any] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for index, (sql, params) in enumerate(statements):
                cursor = conn.execute(sql, tuple(params))
                if index == 0 and stop_if_first_unchanged and cursor.rowcount == 0:
                    conn.execute("ROLLBACK")
                    return []
                if fetch:
                    results.append(cursor.fetchone())
                elif fetch_all:
                    results.append(cursor.fetchall())
                else:
                    results.append(cursor.rowcount)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return results


class PostgresJournal(_SqlJournal):
    """For more than one machine: any number of web and worker replicas share it."""

    lock_clause = " FOR UPDATE SKIP LOCKED"
    # Delivered when the transaction commits: workers in other processes (and on
    # other machines) wake at once instead of at their next poll.
    notify = ("SELECT pg_notify(?, '')", (CHANNEL,))

    async def listen(self, wake: Callable[[], None]) -> None:
        """LISTEN on a connection of its own until cancelled; reconnects after errors."""
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
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
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for statement in _SCHEMA:
                await conn.execute(statement.format(blob="BYTEA"))
            for table, column in _UPGRADES:
                await conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column}")

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
        stop_if_first_unchanged: bool = False,
    ) -> list[Any]:
        if self._pool is None:
            raise RuntimeError("journal is not open")
        results: list[Any] = []
        try:
            async with self._pool.connection() as conn, conn.transaction():
                for index, (sql, params) in enumerate(statements):
                    cursor = await conn.execute(sql.replace("?", "%s"), tuple(params))
                    if index == 0 and stop_if_first_unchanged and cursor.rowcount == 0:
                        raise _DuplicateDeliveryError
                    if fetch:
                        results.append(await cursor.fetchone())
                    elif fetch_all:
                        results.append(await cursor.fetchall())
                    else:
                        results.append(cursor.rowcount)
        except _DuplicateDeliveryError:
            return []
        return results


class _DuplicateDeliveryError(Exception):
    """Rolls a Postgres transaction back when a delivery was already recorded."""


def open_journal(database_url: str) -> Journal:
    """`sqlite:///path` (the default) or `postgresql://...`."""
    if database_url.startswith("sqlite:///"):
        return SqliteJournal(database_url.removeprefix("sqlite:///") or ":memory:")
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresJournal(database_url)
    raise ValueError(
        f"DATABASE_URL {database_url.split('@')[-1]!r}: use sqlite:///path/file.db "
        "or postgresql://user@host/db"
    )
