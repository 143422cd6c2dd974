"""In-process workers: claim a coalesced job, evaluate, finish or retry.

One job per pull request is ever leased at a time (its key is leased in the
journal), so evaluations of one PR are serial while different PRs run in
parallel. A running job's lease is renewed every few seconds, so a worker that
dies (kill -9, a lost machine) lets its jobs go within one lease. A failure is
retried with backoff (or after GitHub's Retry-After); after the last attempt the
PR gets a failing check that says why. Loops are supervised: an error outside a
job (the journal unreachable) is outlived, a loop that dies anyway is restarted
and counted, and `running_loops` tells readiness how many run.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import structlog

from app.jobs.model import Claimed, Handler, Outcome, RetryLater
from app.jobs.store import LEASE_SECONDS, Journal
from app.metrics import Metrics

log = structlog.get_logger()
POLL_SECONDS = 1.0
LOOP_ERROR_PAUSE = 1.0  # before a loop tries the journal again after an error
STOP_RESEND_SECONDS = 1.0  # stop() cancels a task again if it has not ended by then
PRUNE_EVERY_SECONDS = 3600.0
RECORDS_SECONDS = 90 * 86400.0


class Worker:
    def __init__(
        self,
        journal: Journal,
        handler: Handler,
        *,
        concurrency: int = 4,
        max_attempts: int = 5,
        retry_base_seconds: float = 2.0,
        keep_deliveries_days: float = 7.0,
        metrics: Metrics | None = None,
    ) -> None:
        self.journal = journal
        self.handler = handler
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.retry_base = retry_base_seconds
        self.keep_deliveries = keep_deliveries_days * 86400
        self.metrics = metrics or Metrics()
        self.listeners: list[Callable[[Outcome], None]] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._busy = 0
        self._running = 0
        self.poll_seconds = POLL_SECONDS
        self.lease_seconds = LEASE_SECONDS
        self._chores: list[tuple[str, float, Callable[[], Awaitable[object]]]] = []

    @property
    def running_loops(self) -> int:
        return self._running

    def every(self, seconds: float, name: str, chore: Callable[[], Awaitable[object]]) -> None:
        """Run `chore` once the worker starts and then every `seconds` (before start())."""
        self._chores.append((name, seconds, chore))

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._supervised(i)) for i in range(self.concurrency)]
        self._tasks.append(asyncio.create_task(self._prune_forever()))
        self._tasks.append(asyncio.create_task(self.journal.listen(self.wake)))
        self._tasks += [asyncio.create_task(self._repeat(*chore)) for chore in self._chores]

    async def _repeat(
        self, name: str, seconds: float, chore: Callable[[], Awaitable[object]]
    ) -> None:
        while True:
            try:
                await chore()
            except Exception:  # GitHub down, say: the next round tries again
                log.exception("chore_failed", chore=name)
            await asyncio.sleep(seconds)

    async def _prune_forever(self) -> None:
        while True:
            try:
                now = time.time()
                # check-run and removed-reviewer records outlive deliveries: a PR
                # can stay open for weeks and must keep its check and its history
                removed = await self.journal.prune(
                    now - self.keep_deliveries, now - max(self.keep_deliveries, RECORDS_SECONDS)
                )
                if removed:
                    log.info("journal_pruned", deliveries=removed)
            except Exception:
                log.exception("journal_prune_failed")
            await asyncio.sleep(PRUNE_EVERY_SECONDS)

    async def stop(self) -> None:
        """Cancel every loop and wait for them to end. A cancellation that a library
        swallows (psycopg_pool can lose one that lands as a connection is handed over,
        psycopg/psycopg#1345: the loop then runs on, and a test run hung here) is sent
        again each second until the task ends."""
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=STOP_RESEND_SECONDS)
        for task in self._tasks:
            if not task.cancelled() and task.exception() is not None:
                log.error("worker_task_failed", error=repr(task.exception()))
        self._tasks = []

    def wake(self) -> None:
        self._wake.set()

    async def idle(self, timeout: float = 30.0) -> None:
        """Wait until no job is waiting or running (tests and benchmarks)."""
        async with asyncio.timeout(timeout):
            while self._busy or await self.journal.pending():
                self.wake()
                await asyncio.sleep(0.01)

    async def _supervised(self, index: int) -> None:
        """Run loop `index` for good: started again whenever it dies."""
        while True:
            self._running += 1
            self.metrics.loops.set(self._running)
            try:
                await self._loop(index)
            except Exception:
                log.exception("worker_loop_died", loop=index)
                self.metrics.loop_restarts.inc()
            finally:
                self._running -= 1
                self.metrics.loops.set(self._running)
            await asyncio.sleep(LOOP_ERROR_PAUSE)

    async def _loop(self, index: int) -> None:
        while True:
            try:
                claimed = await self.journal.claim(lease=self.lease_seconds)
            except Exception:
                log.exception("worker_claim_failed", loop=index)
                self.metrics.loop_errors.inc()
                await asyncio.sleep(LOOP_ERROR_PAUSE)
                continue
            if claimed is None:
                self._wake.clear()
                # asyncio.timeout, not wait_for: in 3.11 wait_for can swallow a
                # cancellation that lands as its wait ends, and stop() then hangs
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.poll_seconds):
                        await self._wake.wait()
                continue
            self._busy += 1
            try:
                await self._handle(claimed)
            except Exception:
                # finishing or retrying failed (the journal went away): the lease
                # runs out and the job is claimed again, so nothing is lost
                log.exception("worker_job_bookkeeping_failed", job=claimed.job.key)
                self.metrics.loop_errors.inc()
                await asyncio.sleep(LOOP_ERROR_PAUSE)
            finally:
                self._busy -= 1

    async def _handle(self, claimed: Claimed) -> None:
        async with self._leased(claimed):
            await self._run(claimed)

    @contextlib.asynccontextmanager
    async def _leased(self, claimed: Claimed) -> AsyncIterator[None]:
        """Renew the job's lease while it runs, a third of a lease at a time."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(self.lease_seconds / 3)
                with contextlib.suppress(Exception):  # a missed renewal: the next one
                    await self.journal.renew(claimed, self.lease_seconds)

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            task.cancel()
            await _ended(task)

    async def _run(self, claimed: Claimed) -> None:
        job = claimed.job
        started = time.perf_counter()
        try:
            outcomes = await self.handler.run(job)
        except RetryLater as error:
            await self._failed(claimed, str(error), error.retry_after)
            return
        except Exception as error:
            log.exception("job_crashed", job=job.key)
            await self._failed(claimed, f"internal error: {error!r}", 0.0)
            return
        await self.journal.finish(claimed)
        self.wake()  # the finish may have released a newer generation of this key
        self.metrics.evaluation_seconds.observe(time.perf_counter() - started)
        for outcome in outcomes:
            self.metrics.evaluations.labels(job.kind.value, outcome.conclusion or "none").inc()
            if outcome.conclusion != "skipped":
                self.metrics.github_calls.observe(outcome.calls)
            for listener in self.listeners:
                listener(outcome)

    async def _failed(self, claimed: Claimed, reason: str, retry_after: float) -> None:
        job = claimed.job
        if claimed.attempts >= self.max_attempts:
            log.error("job_gave_up", job=job.key, attempts=claimed.attempts, reason=reason)
            self.metrics.failures.inc()
            try:
                await self.handler.fail_closed(job, reason)
            except Exception:  # the handler's own last resort failed: say so, go on
                log.exception("fail_closed_failed", job=job.key, reason=reason)
            await self.journal.finish(claimed)
            return
        delay = max(retry_after, self.retry_base * 2 ** (claimed.attempts - 1))
        log.warning("job_retry", job=job.key, attempt=claimed.attempts, delay=delay, reason=reason)
        self.metrics.retries.inc()
        await self.journal.retry(claimed, delay)


async def _ended(task: asyncio.Task[None]) -> None:
    """Wait for a task we cancelled. Its CancelledError is expected and swallowed; a
    cancellation of the task waiting here (stop() during a job's last lease renewal, a
    timeout around stop()) is not, and goes on: swallowed, a worker loop would run on
    and stop() wait for it for good."""
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
