"""The worker with a plain Handler over a real journal (SQLite and Postgres): run,
retry, fail closed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from app.jobs.model import Claimed, Job, JobKind, Outcome, RetryLater
from app.jobs.store import Journal
from app.jobs.worker import Worker

pytestmark = pytest.mark.anyio
JOB = Job(JobKind.PULL, "acme", "shop", 1, number=7)


@dataclass
class Handler:
    """Answers each run with the next item of `script`: an Outcome title or an error."""

    script: list[str | Exception]
    runs: list[Job] = field(default_factory=list)
    closed: list[tuple[Job, str]] = field(default_factory=list)

    async def run(self, job: Job) -> list[Outcome]:
        self.runs.append(job)
        step = self.script.pop(0) if self.script else "done"
        if isinstance(step, Exception):
            raise step
        return [Outcome(job, "success", step, calls=2)]

    async def fail_closed(self, job: Job, reason: str) -> None:
        self.closed.append((job, reason))


async def work(journal: Journal, handler: Handler, **kwargs: float) -> list[Outcome]:
    outcomes: list[Outcome] = []
    worker = Worker(journal, handler, concurrency=2, retry_base_seconds=0.01, **kwargs)  # type: ignore[arg-type]
    worker.listeners.append(outcomes.append)
    worker.poll_seconds = 0.01
    worker.start()
    try:
        await journal.enqueue([JOB])
        worker.wake()
        await worker.idle(timeout=10)
    finally:
        await worker.stop()
    return outcomes


async def test_a_job_runs_and_its_outcome_is_told(journal: Journal) -> None:
    handler = Handler(["Approved"])
    outcomes = await work(journal, handler)
    assert [o.title for o in outcomes] == ["Approved"]
    assert await journal.pending() == 0


async def test_retry_later_runs_it_again(journal: Journal) -> None:
    handler = Handler([RetryLater("GitHub answered 502"), "Approved"])
    outcomes = await work(journal, handler)
    assert len(handler.runs) == 2
    assert [o.title for o in outcomes] == ["Approved"]
    assert handler.closed == []


async def test_after_the_last_attempt_the_job_fails_closed(journal: Journal) -> None:
    handler = Handler([RetryLater("GitHub answered 502")] * 3)
    outcomes = await work(journal, handler, max_attempts=3)
    assert outcomes == []
    assert handler.closed == [(JOB, "GitHub answered 502")]
    assert await journal.pending() == 0


async def test_a_crash_is_retried_and_then_fails_closed_with_the_error(journal: Journal) -> None:
    handler = Handler([KeyError("head"), KeyError("head")])
    await work(journal, handler, max_attempts=2)
    [(_job, reason)] = handler.closed
    assert reason == "internal error: KeyError('head')"


async def test_an_event_during_a_run_runs_the_job_once_more(journal: Journal) -> None:
    """Coalescing: a newer event for the same PR while it runs is not lost."""

    class Slow(Handler):
        async def run(self, job: Job) -> list[Outcome]:
            if not self.runs:
                await journal.enqueue([job])  # a delivery arrives mid-evaluation
                await asyncio.sleep(0.05)
            return await super().run(job)

    handler = Slow(["first", "second"])
    outcomes = await work(journal, handler)
    assert [o.title for o in outcomes] == ["first", "second"]


class FlakyJournal:
    """The real journal, whose claim fails the first `failures` times (a Postgres
    connection terminated, a disk full)."""

    def __init__(self, inner: Journal, failures: int) -> None:
        self.inner, self.failures = inner, failures

    async def claim(self, now: float | None = None, lease: float = 15.0) -> Claimed | None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("server closed the connection unexpectedly")
        return await self.inner.claim(now, lease)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def test_a_loop_outlives_journal_errors(
    journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.jobs.worker.LOOP_ERROR_PAUSE", 0.01)
    flaky = FlakyJournal(journal, failures=3)
    handler = Handler(["Approved"])
    worker = Worker(flaky, handler, concurrency=1)  # type: ignore[arg-type]
    worker.poll_seconds = 0.01
    worker.start()
    try:
        await journal.enqueue([JOB])
        await worker.idle(timeout=10)
        assert worker.running_loops == 1
    finally:
        await worker.stop()
    assert [r.number for r in handler.runs] == [7]
    assert worker.metrics.loop_errors._value.get() == 3


async def test_a_running_jobs_lease_is_renewed_and_a_dead_workers_lapses(
    journal: Journal,
) -> None:
    class Slow(Handler):
        async def run(self, job: Job) -> list[Outcome]:
            await asyncio.sleep(0.8)  # over two leases
            return await super().run(job)

    worker = Worker(journal, Slow([]), concurrency=1)
    worker.lease_seconds = 0.3
    worker.poll_seconds = 0.01
    worker.start()
    try:
        await journal.enqueue([JOB])
        worker.wake()
        await asyncio.sleep(0.6)
        assert await journal.claim() is None  # still leased: renewed while it runs
        await worker.idle(timeout=10)
    finally:
        await worker.stop()
    # a worker that claims and dies never renews: the job is free after one lease
    await journal.enqueue([JOB])
    assert await journal.claim(lease=0.2) is not None
    assert await journal.claim() is None
    await asyncio.sleep(0.3)
    assert await journal.claim() is not None


class SlowRenewals:
    """The real journal, whose lease renewal takes 0.3 s to end even when cancelled (as
    a SQLite statement finishes in its thread first)."""

    def __init__(self, inner: Journal) -> None:
        self.inner = inner
        self.renewing = asyncio.Event()

    async def renew(self, claimed: Claimed, lease: float = 15.0) -> None:
        self.renewing.set()
        running = asyncio.ensure_future(asyncio.sleep(0.3))
        try:
            await asyncio.shield(running)
        except asyncio.CancelledError:
            await asyncio.wait({running})
            raise

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def test_stop_during_a_jobs_last_lease_renewal_still_stops(journal: Journal) -> None:
    """stop() cancelling a loop while it waits for the finished job's renewal to end:
    the cancellation must not be taken for the renewal's own and swallowed (the loop
    would go on and stop() wait for it for good)."""
    slow = SlowRenewals(journal)
    done = asyncio.Event()

    class Quick(Handler):
        async def run(self, job: Job) -> list[Outcome]:
            await slow.renewing.wait()  # a renewal is in flight when the job ends
            done.set()
            return [Outcome(job, "success", "done", calls=0)]

    worker = Worker(slow, Quick([]), concurrency=1)  # type: ignore[arg-type]
    worker.lease_seconds = 0.03  # a renewal every 10 ms
    worker.poll_seconds = 0.01
    worker.start()
    await journal.enqueue([JOB])
    worker.wake()
    await done.wait()
    await asyncio.sleep(0.05)  # the job's lease block now waits for that renewal to end
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(worker.stop(), timeout=5)
    assert asyncio.get_running_loop().time() - started < 2
    assert worker.running_loops == 0


async def test_stop_ends_a_task_whose_cancellation_a_library_swallowed(journal: Journal) -> None:
    """psycopg_pool can lose a cancellation that lands as it hands a connection over
    (psycopg/psycopg#1345): the chore goes on to its next sleep, and a stop() that
    cancels once waits for it for good. stop() cancels again until it ends."""
    swallowed = asyncio.Event()

    async def chore() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.set()  # as a library would: the caller never sees it

    worker = Worker(journal, Handler([]), concurrency=1)
    worker.every(3600, "swallows", chore)
    worker.start()
    await asyncio.sleep(0.05)
    await asyncio.wait_for(worker.stop(), timeout=5)
    assert swallowed.is_set()
    assert worker.running_loops == 0
