from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

import pytest

from app.jobs.model import Job, JobKind, TickEdit
from app.jobs.store import LEASE_SECONDS, SqliteJournal, open_journal

pytestmark = pytest.mark.anyio


def pull(number: int = 7) -> Job:
    return Job(JobKind.PULL, "acme", "shop", 1, number=number)


async def test_accept_is_durable_and_deduplicates(database_url: str) -> None:
    journal = open_journal(database_url)
    await journal.open()
    assert await journal.accept("d-1", "pull_request", "opened", b"{}", [pull()])
    assert not await journal.accept("d-1", "pull_request", "opened", b"{}", [pull()])
    await journal.close()
    reopened = open_journal(database_url)  # as after a crash
    await reopened.open()
    claimed = await reopened.claim()
    assert claimed is not None
    assert claimed.job == pull()
    assert claimed.attempts == 1
    await reopened.close()


async def test_deliveries_arriving_together_commit_together_and_each_is_answered(
    database_url: str,
) -> None:
    """Group commit: 60 accepts at once (a redelivery among them) are written in a few
    transactions; each caller learns whether its own delivery was new."""
    journal = open_journal(database_url)
    await journal.open()
    transactions = 0
    write = journal._run_groups  # type: ignore[attr-defined]

    async def counted(groups: Any) -> list[bool]:
        nonlocal transactions
        transactions += 1
        return list(await write(groups))

    journal._run_groups = counted  # type: ignore[attr-defined]
    ids = [f"d-{n}" for n in range(60)] + ["d-7"]
    fresh = await asyncio.gather(
        *(journal.accept(d, "pull_request", None, b"{}", [pull(n)]) for n, d in enumerate(ids))
    )
    assert fresh == [True] * 60 + [False]
    assert transactions <= 2  # all that arrived while one write ran go in the next
    assert await journal.pending() == 60  # the redelivery queued nothing more
    await journal.close()


async def test_a_failed_group_write_fails_each_of_its_deliveries(tmp_path: Path) -> None:
    journal = SqliteJournal(str(tmp_path / "j.db"))
    await journal.open()

    async def broken(groups: Any) -> list[bool]:
        raise OSError("disk full")

    journal._run_groups = broken  # type: ignore[method-assign]
    answers = await asyncio.gather(
        *(journal.accept(f"d-{n}", "push", None, b"{}", []) for n in range(5)),
        return_exceptions=True,
    )
    assert all(isinstance(a, OSError) for a in answers)
    await journal.close()


async def test_jobs_for_one_pull_request_coalesce(database_url: str) -> None:
    journal = open_journal(database_url)
    await journal.open()
    for n in range(5):
        await journal.accept(f"d-{n}", "pull_request", "synchronize", b"{}", [pull()])
    await journal.accept("other", "pull_request", "opened", b"{}", [pull(8)])
    assert await journal.pending() == 2
    first = await journal.claim()
    second = await journal.claim()
    assert first is not None
    assert second is not None
    assert {first.job.number, second.job.number} == {7, 8}
    assert await journal.claim() is None  # both leased
    await journal.close()


async def test_an_event_during_a_run_reruns_it_once(database_url: str) -> None:
    journal = open_journal(database_url)
    await journal.open()
    await journal.accept("d-1", "pull_request", "opened", b"{}", [pull()])
    running = await journal.claim()
    assert running is not None
    await journal.accept("d-2", "pull_request", "labeled", b"{}", [pull()])
    assert await journal.claim() is None  # still leased: one evaluation per PR at a time
    await journal.finish(running)
    again = await journal.claim()
    assert again is not None
    assert again.generation == running.generation + 1
    await journal.finish(again)
    assert await journal.pending() == 0
    await journal.close()


async def test_retry_waits_and_expired_leases_are_reclaimed(database_url: str) -> None:
    journal = open_journal(database_url)
    await journal.open()
    await journal.enqueue([pull()])
    claimed = await journal.claim()
    assert claimed is not None
    await journal.retry(claimed, delay=60)
    assert await journal.claim() is None
    import time

    later = await journal.claim(now=time.time() + 61)
    assert later is not None
    assert later.attempts == 2
    # A worker that died: its lease runs out and the job is taken again.
    assert await journal.claim(now=time.time() + 61 + LEASE_SECONDS + 1) is not None
    await journal.close()


async def test_removed_reviewers_and_check_runs_are_remembered(database_url: str) -> None:
    journal = open_journal(database_url)
    await journal.open()
    await journal.remember_removed("Acme/Shop", 7, "Dana")
    await journal.remember_removed("acme/shop", 7, "team:dba")
    assert await journal.removed_reviewers("acme/shop", 7) == {"dana", "team:dba"}
    await journal.save_check_run("acme/shop", "abc", "Release roles", 11, "h1")
    await journal.save_check_run("acme/shop", "abc", "Release roles", 11, "h2")
    assert await journal.check_run("acme/shop", "abc", "Release roles") == (11, "h2")
    await journal.close()


def test_database_url_must_be_sqlite_or_postgres() -> None:
    with pytest.raises(ValueError, match="use sqlite:///"):
        open_journal("mysql://root@db/x")


async def test_sqlite_close_waits_for_a_statement_whose_caller_was_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing the connection under a running statement crashed the process (SIGSEGV)."""
    journal = SqliteJournal(str(tmp_path / "j.db"))
    await journal.open()
    events: list[str] = []
    original = journal._transaction

    def slow(*args: Any) -> list[Any]:
        time.sleep(0.2)
        result = original(*args)
        events.append("statement done")
        return result

    monkeypatch.setattr(journal, "_transaction", slow)
    task = asyncio.create_task(journal.pending())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await journal.close()
    events.append("closed")
    assert events == ["statement done", "closed"]


async def test_prune_forgets_old_deliveries_only(database_url: str) -> None:
    journal = open_journal(database_url)
    await journal.open()
    try:
        assert await journal.accept("old", "push", None, b"{}", [])
        await asyncio.sleep(0.01)
        cutoff = time.time()
        await asyncio.sleep(0.01)
        assert await journal.accept("new", "push", None, b"{}", [pull()])
        assert await journal.prune(cutoff) == 1
        assert await journal.accept("old", "push", None, b"{}", [])  # forgotten
        assert not await journal.accept("new", "push", None, b"{}", [])  # still known
        assert await journal.pending() == 1  # jobs are not deliveries
    finally:
        await journal.close()


async def test_postgres_wakes_listeners_in_other_processes(postgres_url: str) -> None:
    """A job queued through one connection wakes a worker listening on another."""
    listener, writer = open_journal(postgres_url), open_journal(postgres_url)
    await listener.open()
    await writer.open()
    woken = asyncio.Event()
    task = asyncio.create_task(listener.listen(woken.set))
    try:
        await asyncio.wait_for(woken.wait(), 5)  # the catch-up wake on connecting
        woken.clear()
        assert await writer.accept("d-1", "pull_request", "opened", b"{}", [pull()])
        await asyncio.wait_for(woken.wait(), 5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await listener.close()
        await writer.close()


async def test_sqlite_has_nothing_to_listen_to(tmp_path: Path) -> None:
    journal = SqliteJournal(str(tmp_path / "j.db"))
    assert await journal.listen(lambda: None) is None


async def test_prune_forgets_old_check_run_and_reviewer_records(database_url: str) -> None:
    journal = open_journal(database_url)
    await journal.open()
    try:
        await journal.save_check_run("acme/shop", "old", "Release roles", 1, "h1")
        await journal.remember_removed("acme/shop", 1, "dana")
        await asyncio.sleep(0.01)
        cutoff = time.time()
        await asyncio.sleep(0.01)
        await journal.save_check_run("acme/shop", "new", "Release roles", 2, "h2")
        assert await journal.prune(0.0, cutoff) == 2
        assert await journal.check_run("acme/shop", "old", "Release roles") is None
        assert await journal.check_run("acme/shop", "new", "Release roles") == (2, "h2")
        assert await journal.removed_reviewers("acme/shop", 1) == set()
    finally:
        await journal.close()


def _made_before(tmp_path: Path, table: str, row: str, *params: object) -> Path:
    """A SQLite journal with one table as an older release made it, holding one row."""
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute(table)
        conn.execute(row, params)
    return path


async def test_a_journal_from_before_the_saved_at_columns_is_upgraded(tmp_path: Path) -> None:
    path = _made_before(
        tmp_path,
        "CREATE TABLE check_runs (repo TEXT NOT NULL, head_sha TEXT NOT NULL, "
        "name TEXT NOT NULL, check_run_id BIGINT NOT NULL, content_hash TEXT NOT NULL, "
        "PRIMARY KEY (repo, head_sha, name))",
        "INSERT INTO check_runs VALUES ('acme/shop', 'abc', 'Release roles', 7, 'h')",
    )
    journal = SqliteJournal(str(path))
    await journal.open()
    try:
        assert await journal.check_run("acme/shop", "abc", "Release roles") == (7, "h")
        await journal.save_check_run("acme/shop", "abc", "Release roles", 8, "h2")
        assert await journal.check_run("acme/shop", "abc", "Release roles") == (8, "h2")
    finally:
        await journal.close()


async def test_fanout_records_on_each_backend(journal: Any) -> None:
    from app.service.fanout import _like

    assert await journal.org_version("Acme") == 0
    await journal.bump_org("acme")
    await journal.bump_org("ACME")
    assert await journal.org_version("acme") == 2
    await journal.remember_sources("acme/shop", ["Acme/.github"])
    assert await journal.dependents("acme/.github", time.time() - 60) == ["acme/shop"]
    for repo, number in (("acme/shop", 1), ("acme/my_app", 2), ("acmex/other", 3)):
        await journal.save_check_run(repo, "a" * 40, "Release roles", number, "d", number)
    await journal.save_check_run("acme/shop", "b" * 40, "Release roles", 9, "d")  # a group
    since = time.time() - 60
    assert await journal.recent_pulls("acme/%", since) == [("acme/my_app", 2), ("acme/shop", 1)]
    # `_` is a literal, not "any character": myXapp is not my_app
    await journal.save_check_run("acme/myxapp", "c" * 40, "Release roles", 4, "d", 4)
    assert await journal.recent_pulls(_like("acme/my_app"), since) == [("acme/my_app", 2)]


async def test_checklist_ticks_on_each_backend(journal: Any) -> None:
    a, b = ("dba", "a" * 12), ("dba", "b" * 12)
    await journal.save_ticks(TickEdit("Acme/Shop", 3, 9, "dana", frozenset({a, b}), frozenset()))
    await journal.save_ticks(TickEdit("acme/shop", 3, 9, "sam", frozenset({b}), frozenset()))
    records = await journal.pull_records("acme/shop", 3, "acme")
    assert sorted(records.ticks) == [("dba", "a" * 12, "dana"), ("dba", "b" * 12, "sam")]
    await journal.save_ticks(TickEdit("acme/shop", 3, 9, "sam", frozenset(), frozenset({a})))
    records = await journal.pull_records("acme/shop", 3, "acme")
    assert records.ticks == (("dba", "b" * 12, "sam"),)
    assert (await journal.pull_records("acme/shop", 4, "acme")).ticks == ()
    assert await journal.prune(time.time() + 1, records_older_than=time.time() + 1) >= 0
    assert (await journal.pull_records("acme/shop", 3, "acme")).ticks == ()


def _open_and_close(path: str) -> None:
    async def main() -> None:
        journal = SqliteJournal(path)
        await journal.open()
        await journal.close()

    asyncio.run(main())


def test_processes_opening_a_new_sqlite_journal_together_all_start(tmp_path: Path) -> None:
    """serve and its worker child open the journal at the same moment: the schema is made
    (and upgraded) in one write transaction, so neither sees a column missing that the
    other then adds ("duplicate column name" ended the worker child in a CI run)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for attempt in range(8):
        path = str(tmp_path / f"journal-{attempt}.db")
        processes = [context.Process(target=_open_and_close, args=(path,)) for _ in range(4)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(30)
        assert [process.exitcode for process in processes] == [0, 0, 0, 0]


async def test_sqlite_commits_leave_the_wal_checkpoint_to_a_thread_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit that took the WAL past 1,000 pages used to copy it back itself (a
    delivery's 202 waiting for it); the journal's connection now never checkpoints and
    its checkpointer thread does, so the WAL still does not grow without end."""
    import sqlite3

    from app.jobs.store import checkpoint

    monkeypatch.setattr(checkpoint, "INTERVAL_SECONDS", 0.05)
    path = tmp_path / "journal.db"
    journal = SqliteJournal(str(path))
    await journal.open()
    try:
        conn = journal._conn  # type: ignore[attr-defined]
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
        body = b"x" * 20_000
        for n in range(300):  # ~6 MB of WAL: past SQLite's own 1,000-page mark
            await journal.accept(f"d-{n}", "pull_request", "opened", body, [pull(n)])
        deadline = time.monotonic() + 10
        while journal._checkpointer.runs < 2:  # type: ignore[attr-defined]
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        with sqlite3.connect(path) as reader:
            _busy, frames, copied = reader.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert frames == copied  # nothing left that the checkpointer had not copied
    finally:
        await journal.close()
    assert journal._checkpointer is None  # type: ignore[attr-defined]


async def test_a_sqlite_journal_taking_turns_writes_only_between_them(tmp_path: Path) -> None:
    """The worker's journal waits for its detection to let go of the turns before it
    takes SQLite's write lock (so it never holds that lock, which the receivers need,
    while waiting for the GIL); its reads do not wait."""
    import threading

    journal = SqliteJournal(str(tmp_path / "j.db"))
    await journal.open()
    turns = threading.Lock()
    journal.take_turns(turns)
    try:
        turns.acquire()  # detection is running
        write = asyncio.ensure_future(journal.save_check_run("acme/shop", "a" * 40, "G", 1, "h"))
        await asyncio.sleep(0.2)
        assert not write.done()
        turns.release()
        await asyncio.wait_for(write, 5)
        with turns:  # a read during detection
            assert await asyncio.wait_for(journal.check_run("acme/shop", "a" * 40, "G"), 5) == (
                1,
                "h",
            )
    finally:
        if turns.locked():
            turns.release()
        await journal.close()


async def test_a_delivery_body_is_kept_packed_and_read_back_as_sent(journal: Any) -> None:
    """The body is stored packed (a tenth of its size: most of what a delivery cost
    the journal's write lock) and read back byte for byte; an unknown id is None."""
    import json

    from tests.harness import payload

    body = json.dumps(payload("pull_request.opened")).encode()
    assert await journal.accept("d-9", "pull_request", "opened", body, [pull()])
    stored = await journal.delivery("d-9")
    assert (stored.event, stored.action, stored.body) == ("pull_request", "opened", body)
    assert time.time() - stored.received_at < 60
    assert await journal.delivery("d-10") is None


async def test_bodies_are_zstd_and_rows_packed_with_zlib_still_read(tmp_path: Path) -> None:
    """zstd since it packed smaller in less than half zlib's time; rows a journal wrote
    with zlib's fastest level before read back as they came."""
    import json
    import sqlite3
    import zlib

    from tests.harness import payload

    body = json.dumps(payload("pull_request.opened")).encode()
    journal = SqliteJournal(str(tmp_path / "j.db"))
    await journal.open()
    try:
        await journal.accept("d-1", "pull_request", "opened", body, [])
        with sqlite3.connect(tmp_path / "j.db") as conn:
            conn.execute(
                "INSERT INTO deliveries (id, event, action, received_at, body, body_encoding) "
                "VALUES ('d-0', 'pull_request', 'opened', 1.0, ?, 'zlib')",
                (zlib.compress(body, 1),),
            )
            [(encoding, size)] = conn.execute(
                "SELECT body_encoding, length(body) FROM deliveries WHERE id = 'd-1'"
            )
        assert encoding == "zstd"
        assert size < len(body) / 8
        for delivery_id in ("d-0", "d-1"):
            assert (await journal.delivery(delivery_id)).body == body  # type: ignore[union-attr]
    finally:
        await journal.close()


async def test_a_body_kept_before_packing_reads_as_it_came(tmp_path: Path) -> None:
    """Rows from before the `body_encoding` column are the body as it came."""
    path = _made_before(
        tmp_path,
        "CREATE TABLE deliveries (id TEXT PRIMARY KEY, event TEXT NOT NULL, action TEXT, "
        "received_at DOUBLE PRECISION NOT NULL, body BLOB NOT NULL)",
        "INSERT INTO deliveries VALUES ('d-1', 'ping', NULL, 1.0, ?)",
        b'{"z":1}',
    )
    journal = SqliteJournal(str(path))
    await journal.open()
    try:
        stored = await journal.delivery("d-1")
        assert stored is not None
        assert (stored.event, stored.action, stored.body) == ("ping", None, b'{"z":1}')
        await journal.accept("d-2", "ping", None, b'{"zen":"x"}', [])
        assert (await journal.delivery("d-2")).body == b'{"zen":"x"}'  # type: ignore[union-attr]
    finally:
        await journal.close()


async def test_a_batch_is_written_on_the_loop_when_the_write_lock_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No thread for a delivery when no one holds SQLite's write lock (the hop to a
    thread and back cost more than the write); while another process holds it the
    batch waits in the thread, and the loop goes on meanwhile; a delivery of
    megabytes is written in the thread too."""
    import os
    import sqlite3

    from app.jobs.store import sqlite as store

    journal = SqliteJournal(str(tmp_path / "j.db"))
    await journal.open()
    hops: list[str] = []
    to_thread = asyncio.to_thread

    async def counted(work: Any, *args: Any) -> Any:
        hops.append(work.__name__)
        return await to_thread(work, *args)

    monkeypatch.setattr(store.asyncio, "to_thread", counted)
    other = sqlite3.connect(tmp_path / "j.db", isolation_level=None)
    try:
        assert await journal.accept("d-1", "pull_request", "opened", b"{}", [pull()])
        assert hops == []
        other.execute("BEGIN IMMEDIATE")  # another process writing
        accepting = asyncio.create_task(journal.accept("d-2", "ping", None, b"{}", []))
        await asyncio.sleep(0.05)  # the loop is not held while the batch waits
        assert not accepting.done()
        other.execute("COMMIT")
        assert await accepting
        assert hops == ["_groups"]
        big = os.urandom(store.INLINE_BYTES + 1)  # packs to no less
        assert await journal.accept("d-3", "ping", None, big, [])
        assert hops == ["_groups", "_groups"]
        assert (await journal.delivery("d-3")).body == big  # type: ignore[union-attr]
    finally:
        other.close()
        await journal.close()


async def test_a_postgres_redelivery_leaves_the_job_as_it_was(postgres_url: str) -> None:
    """A delivery and its job go in one statement on Postgres; a delivery seen before
    writes neither (its job's generation and attempts stay)."""
    import psycopg

    journal = open_journal(postgres_url)
    await journal.open()
    try:
        assert await journal.accept("d-1", "pull_request", "opened", b"{}", [pull()])
        assert await journal.claim() is not None  # attempts 1
        assert not await journal.accept("d-1", "pull_request", "opened", b"{}", [pull()])
        assert await journal.accept("d-2", "pull_request", "edited", b"{}", [pull()])
    finally:
        await journal.close()
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT key, generation, attempts, delivery_id FROM jobs").fetchall()
        deliveries = conn.execute("SELECT id FROM deliveries ORDER BY id").fetchall()
    # d-2 bumped it once (and reset its attempts); the redelivery of d-1 did nothing
    assert rows == [(pull().key, 1, 0, "d-2")]
    assert deliveries == [("d-1",), ("d-2",)]
