"""The embedded default store: one SQLite file, WAL mode, statements run in a thread."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.jobs.store import schema
from app.jobs.store.group import Statements
from app.jobs.store.journal import SqlJournal


class SqliteJournal(SqlJournal):
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
        for statement in schema.TABLES:
            self._conn.execute(statement.format(blob="BLOB"))
        for table, column in schema.UPGRADES:
            existing = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if column.split()[0] not in existing:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        for statement in schema.INDEXES:
            self._conn.execute(statement)
        # From here every write starts with _begin(), which waits for another process's
        # write lock in short steps: SQLite's own busy handler sleeps 1, 2, 5, 10, 15,
        # 20 ms … in turn, so a receiver behind a worker's run of short transactions
        # waited 50 ms (ack p99 51 ms with web and worker apart; bench_server.py).
        self._conn.execute("PRAGMA busy_timeout=0")

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
    ) -> list[Any]:
        async with self._lock:
            running = asyncio.ensure_future(
                asyncio.to_thread(self._transaction, statements, fetch, fetch_all)
            )
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                # A thread cannot be cancelled: hold the lock until it is done, or the
                # next statement (or close(), which crashed sqlite) would share the
                # connection with it.
                await asyncio.wait({running})
                raise

    async def _run_groups(self, groups: Sequence[Statements]) -> list[bool]:
        async with self._lock:
            running = asyncio.ensure_future(asyncio.to_thread(self._groups, groups))
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                await asyncio.wait({running})  # as in _run: the thread holds the connection
                raise

    def _groups(self, groups: Sequence[Statements]) -> list[bool]:
        conn = self._conn
        if conn is None:
            raise RuntimeError("journal is not open")
        results = []
        _begin(conn)
        try:
            for first, *rest in groups:
                if conn.execute(first[0], tuple(first[1])).rowcount == 0:
                    results.append(False)
                    continue
                for sql, params in rest:
                    conn.execute(sql, tuple(params))
                results.append(True)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return results

    def _transaction(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        fetch: bool,
        fetch_all: bool,
    ) -> list[Any]:
        conn = self._conn
        if conn is None:
            raise RuntimeError("journal is not open")
        results: list[Any] = []
        if all(sql.lstrip().startswith("SELECT") for sql, _ in statements):
            # reads only: a deferred transaction, which in WAL mode takes no write lock
            # (an evaluation's reads no longer make a delivery's write wait)
            conn.execute("BEGIN")
        else:
            _begin(conn)
        try:
            for sql, params in statements:
                cursor = conn.execute(sql, tuple(params))
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


LOCK_STEP_SECONDS = 0.0003
LOCK_WAIT_SECONDS = 5.0


def _begin(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting up to 5 s for another process's write lock."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(LOCK_STEP_SECONDS)
