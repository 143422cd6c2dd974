"""The embedded default store: one SQLite file, WAL mode, statements run in a thread
(a batch of deliveries on the event loop when the write lock is free: `_run_groups`)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from app.jobs.store import schema
from app.jobs.store.checkpoint import Checkpointer
from app.jobs.store.group import Statements
from app.jobs.store.journal import SqlJournal

T = TypeVar("T")


class SqliteJournal(SqlJournal):
    """The embedded default: one file, WAL mode, statements run in a thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self._checkpointer: Checkpointer | None = None
        self._turns: threading.Lock | None = None

    async def open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn = conn
        _retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"), 0.01)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        # serve and its worker child open a new journal at the same moment: in one write
        # transaction, neither finds a column missing that the other adds meanwhile
        with self._atomic(write=True):
            _make_schema(conn)
        # From here every write starts with _begin(), which waits for another process's
        # write lock in short steps: SQLite's own busy handler sleeps 1, 2, 5, 10, 15,
        # 20 ms … in turn, so a receiver behind a worker's run of short transactions
        # waited 50 ms (ack p99 51 ms with web and worker apart; bench_server.py).
        conn.execute("PRAGMA busy_timeout=0")
        if self.path != ":memory:":
            conn.execute("PRAGMA wal_autocheckpoint=0")  # checkpoint.py does it, apart
            self._checkpointer = Checkpointer(self.path)
            self._checkpointer.start()

    def take_turns(self, turns: threading.Lock) -> None:
        """The worker's write transactions wait for its detection to let go of `turns`
        (and detection for them). A transaction's statements each give up the GIL and
        take it back; with detection running in another thread, some C call of it
        (a parse, a long regex) kept the GIL for milliseconds while this transaction
        held the database's write lock, and a receiver's delivery waited behind that
        (worker holds p99 5-11 ms, max 36; ack p99 9.9-11.5 ms at 200/s, bench_server;
        7.9-8.7 with turns). Not for the receiver: its deliveries must never wait for
        an evaluation."""
        self._turns = turns

    async def close(self) -> None:
        if self._checkpointer is not None:
            await asyncio.to_thread(self._checkpointer.stop)
            self._checkpointer = None
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
        return await self._in_thread(self._transaction, statements, fetch, fetch_all)

    async def _run_groups(self, groups: Sequence[Statements]) -> list[bool]:
        """A batch of deliveries: on the event loop when SQLite's write lock is free at
        once, else in the thread that waits for it. Handing each batch to a thread and
        back cost more than writing it (CPU per acknowledged delivery 156-161 µs through
        the thread, 124-129 on the loop; bench_probot's wrk load): a WAL commit without
        fsync takes a fraction of a millisecond, and the loop never sleeps on a lock."""
        if self._turns is None and _size(groups) < INLINE_BYTES:
            async with self._lock:
                written = self._groups_if_free(groups)
            if written is not None:
                return written
        return await self._in_thread(self._groups, groups)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` on the connection, in a thread, one at a time."""
        async with self._lock:
            running = asyncio.ensure_future(asyncio.to_thread(work, *args))
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                # A thread cannot be cancelled: hold the lock until it is done, or the
                # next statement (or close(), which crashed sqlite) would share the
                # connection with it.
                await asyncio.wait({running})
                raise

    @contextlib.contextmanager
    def _atomic(self, write: bool) -> Iterator[sqlite3.Connection]:
        """A transaction: BEGIN IMMEDIATE to write (waiting for another process's write
        lock, _begin), a deferred BEGIN to read only (WAL: no write lock taken, so an
        evaluation's reads never make a delivery's write wait)."""
        conn = self._conn
        if conn is None:
            raise RuntimeError("journal is not open")
        turns = self._turns if write and self._turns else contextlib.nullcontext()
        with turns:
            if write:
                _begin(conn)
            else:
                conn.execute("BEGIN")
            with _committed(conn):
                yield conn

    def _groups(self, groups: Sequence[Statements]) -> list[bool]:
        with self._atomic(write=True) as conn:
            return _apply(conn, groups)

    def _groups_if_free(self, groups: Sequence[Statements]) -> list[bool] | None:
        """`_groups` if no other process holds the write lock now; None if one does."""
        conn = self._conn
        if conn is None:
            raise RuntimeError("journal is not open")
        try:
            conn.execute("BEGIN IMMEDIATE")  # busy_timeout 0: answers at once
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                return None
            raise
        with _committed(conn):
            return _apply(conn, groups)

    def _transaction(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        fetch: bool,
        fetch_all: bool,
    ) -> list[Any]:
        results: list[Any] = []
        reads_only = all(sql.lstrip().startswith("SELECT") for sql, _ in statements)
        with self._atomic(write=not reads_only) as conn:
            for sql, params in statements:
                cursor = conn.execute(sql, tuple(params))
                if fetch:
                    results.append(cursor.fetchone())
                elif fetch_all:
                    results.append(cursor.fetchall())
                else:
                    results.append(cursor.rowcount)
        return results


@contextlib.contextmanager
def _committed(conn: sqlite3.Connection) -> Iterator[None]:
    """The transaction begun on `conn` committed, or rolled back if the block raises."""
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _apply(conn: sqlite3.Connection, groups: Sequence[Statements]) -> list[bool]:
    """Each group whose first statement changed a row runs whole (True); a group whose
    first changed nothing (a delivery seen before) is skipped (False)."""
    results = []
    for first, *rest in groups:
        if conn.execute(first[0], tuple(first[1])).rowcount == 0:
            results.append(False)
            continue
        for sql, params in rest:
            conn.execute(sql, tuple(params))
        results.append(True)
    return results


def _size(groups: Sequence[Statements]) -> int:
    return sum(
        len(p) for group in groups for _, params in group for p in params if isinstance(p, bytes)
    )


# a batch holding more packed body than this (a delivery of megabytes) is written in
# the thread: the loop would stop for its write
INLINE_BYTES = 256 * 1024
LOCK_STEP_SECONDS = 0.0003
LOCK_WAIT_SECONDS = 5.0


def _make_schema(conn: sqlite3.Connection) -> None:
    for statement in schema.TABLES:
        conn.execute(statement.format(blob="BLOB"))
    for table, column in schema.UPGRADES:
        existing = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column.split()[0] not in existing:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    for statement in schema.INDEXES:
        conn.execute(statement)


def _begin(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting up to 5 s for another process's write lock."""
    _retry_locked(lambda: conn.execute("BEGIN IMMEDIATE"), LOCK_STEP_SECONDS)


def _retry_locked(statement: Callable[[], object], step: float) -> None:
    """Run `statement`, again every `step` seconds for up to 5 s while another process
    holds the lock it needs. Also for the switch to WAL, which fails at once (without
    SQLite's busy handler) while another process is making the new database."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            statement()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(step)
