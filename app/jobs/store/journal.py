"""The durable journal of deliveries and the per-PR job queue.

A delivery is written (and its jobs queued) in one transaction before the
webhook is answered, so an accepted event survives a crash. Jobs coalesce by
key: a newer event for the same pull request replaces the waiting job
(latest wins) and bumps its generation, so a job that was running when the
event came is run once more instead of being lost. A claimed job is leased;
if its worker dies the lease runs out and another worker takes it.

Both backends share this logic and the SQL in schema.py; Postgres adds
`FOR UPDATE SKIP LOCKED` so any number of replicas can claim from one table.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.jobs.model import (
    Claimed,
    Job,
    OverrideCommand,
    PullRecords,
    StoredOverride,
    TickEdit,
)
from app.jobs.store import schema
from app.jobs.store.bodies import StoredDelivery, pack, unpack
from app.jobs.store.group import GroupCommit, Statements
from app.jobs.store.history import PullHistory, prune_statements
from app.jobs.store.protocol import LEASE_SECONDS


class SqlJournal(PullHistory):
    """The shared logic; subclasses run statements on their own connection."""

    lock_clause = ""
    notify: tuple[str, Sequence[Any]] | None = None  # run after queueing jobs, if set
    _group: GroupCommit | None = None  # accept()'s batches, made on first use

    async def listen(self, wake: Callable[[], None]) -> None:
        return None

    def take_turns(self, turns: threading.Lock) -> None:
        # Postgres locks the rows a transaction writes, not the database: a worker's
        # transaction that waits for the GIL holds up no receiver's insert
        return None

    async def _run(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        *,
        fetch: bool = False,
        fetch_all: bool = False,
    ) -> list[Any]:
        """Run `statements` in one transaction; one result per statement (a row, all
        rows, or the row count)."""
        raise NotImplementedError

    async def _run_groups(self, groups: Sequence[Statements]) -> list[bool]:
        """Run `groups` in one transaction; a group whose first statement changed
        nothing is skipped (False), the others run whole (True)."""
        raise NotImplementedError

    async def accept(
        self, delivery_id: str, event: str, action: str | None, body: bytes, jobs: Sequence[Job]
    ) -> bool:
        now = time.time()
        # packing a body of megabytes (GitHub allows 25) would hold the loop: a thread
        packed = pack(body) if len(body) < 1_000_000 else await asyncio.to_thread(pack, body)
        statements: list[tuple[str, Sequence[Any]]] = [
            (schema.INSERT_DELIVERY, (delivery_id, event, action, now, *packed))
        ]
        statements += [
            (schema.UPSERT_JOB, (job.key, job.dumps(), delivery_id, now, now)) for job in jobs
        ]
        if self._group is None:
            self._group = GroupCommit(self._write_deliveries)
        return await self._group.submit(statements)

    async def _write_deliveries(self, groups: list[Statements]) -> list[bool]:
        """A batch of deliveries, committed together (group.py); workers woken once."""
        queued = any(len(group) > 1 for group in groups)
        extra = [[self.notify]] if queued and self.notify else []
        results = await self._run_groups([*groups, *extra])
        return results[: len(groups)]

    async def enqueue(self, jobs: Sequence[Job], at: float | None = None) -> None:
        now = time.time()
        due = now if at is None else at
        statements: list[tuple[str, Sequence[Any]]] = [
            (schema.UPSERT_JOB, (j.key, j.dumps(), None, now, due)) for j in jobs
        ]
        if jobs and self.notify:
            statements.append(self.notify)
        await self._run(statements)

    async def claim(self, now: float | None = None, lease: float = LEASE_SECONDS) -> Claimed | None:
        now = time.time() if now is None else now
        sql = schema.CLAIM.format(lock=self.lock_clause)
        [row] = await self._run([(sql, (now + lease, now, now))], fetch=True)
        if row is None:
            return None
        job_text, generation, attempts = row
        return Claimed(Job.loads(job_text), int(generation), int(attempts))

    async def renew(self, claimed: Claimed, lease: float = LEASE_SECONDS) -> None:
        await self._run([(schema.RENEW, (time.time() + lease, claimed.job.key))])

    async def finish(self, claimed: Claimed) -> None:
        key = claimed.job.key
        await self._run([(schema.FINISH, (key, claimed.generation)), (schema.RELEASE, (key,))])

    async def retry(self, claimed: Claimed, delay: float) -> None:
        key = claimed.job.key
        await self._run(
            [
                (schema.RETRY, (time.time() + delay, key, claimed.generation)),
                (schema.RELEASE, (key,)),
            ]
        )

    async def pending(self) -> int:
        [row] = await self._run([(schema.COUNT_JOBS, (time.time(),))], fetch=True)
        return int(row[0]) if row else 0

    async def has_delivery(self, delivery_id: str) -> bool:
        [row] = await self._run([(schema.HAS_DELIVERY, (delivery_id,))], fetch=True)
        return bool(row)

    async def delivery(self, delivery_id: str) -> StoredDelivery | None:
        [row] = await self._run([(schema.DELIVERY, (delivery_id,))], fetch=True)
        if row is None:
            return None
        event, action, received_at, blob, encoding = row
        return StoredDelivery(event, action, received_at, unpack(blob, encoding))

    async def prune(self, older_than: float, records_older_than: float | None = None) -> int:
        """Forget deliveries received before `older_than` (a Unix time; their bodies are
        the bulk of the journal, and a redelivery that old is accepted as new), and
        check-run and removed-reviewer records saved before `records_older_than`."""
        statements: list[tuple[str, Sequence[Any]]] = [(schema.PRUNE_DELIVERIES, (older_than,))]
        if records_older_than is not None:
            statements += [
                (schema.PRUNE_CHECK_RUNS, (records_older_than,)),
                (schema.PRUNE_REMOVED, (records_older_than,)),
                (schema.PRUNE_OVERRIDES, (records_older_than,)),
                (schema.PRUNE_RETARGETS, (records_older_than,)),
                (schema.PRUNE_REQUESTS, (records_older_than,)),
                (schema.PRUNE_COMMENTS, (records_older_than,)),
                (schema.PRUNE_NOTIFIED, (records_older_than,)),
                (schema.PRUNE_TICKS, (records_older_than,)),
                *prune_statements(records_older_than, time.time()),
            ]
        counts = await self._run(statements)
        return int(sum(counts))

    async def remember_removed(self, repo: str, number: int, reviewer: str) -> None:
        await self._run(
            [(schema.REMEMBER_REMOVED, (repo.lower(), number, reviewer.lower(), time.time()))]
        )

    async def removed_reviewers(self, repo: str, number: int) -> set[str]:
        rows = await self._run([(schema.REMOVED_REVIEWERS, (repo.lower(), number))], fetch_all=True)
        return {str(r[0]) for r in rows[0]}

    async def check_run(self, repo: str, sha: str, name: str) -> tuple[int, str] | None:
        [row] = await self._run([(schema.CHECK_RUN, (repo.lower(), sha, name))], fetch=True)
        return (int(row[0]), str(row[1])) if row else None

    async def save_check_run(
        self,
        repo: str,
        sha: str,
        name: str,
        check_run_id: int,
        content_hash: str,
        number: int | None = None,
    ) -> None:
        values = (repo.lower(), sha, name, check_run_id, content_hash, time.time(), number)
        await self._run([(schema.SAVE_CHECK_RUN, values)])

    async def last_check_name(self, repo: str) -> str | None:
        [row] = await self._run([(schema.LAST_CHECK_NAME, (repo.lower(),))], fetch=True)
        return str(row[0]) if row else None

    async def last_head(self, repo: str, number: int) -> str | None:
        [row] = await self._run([(schema.LAST_HEAD, (repo.lower(), number))], fetch=True)
        return str(row[0]) if row else None

    async def save_override(self, command: OverrideCommand) -> None:
        c = command
        values = (c.repo.lower(), c.number, c.role, c.by, c.reason, int(c.revoke), time.time())
        await self._run([(schema.SAVE_OVERRIDE, values)])

    async def save_ticks(self, edit: TickEdit) -> None:
        key, now = (edit.repo.lower(), edit.number), time.time()
        await self._run(
            [(schema.SAVE_TICK, (*key, role, item, edit.by, now)) for role, item in edit.ticked]
            + [(schema.CLEAR_TICK, (*key, role, item)) for role, item in edit.cleared]
        )

    async def bump_org(self, org: str) -> None:
        await self._run([(schema.BUMP_ORG, (org.lower(), time.time()))])

    async def pull_records(self, repo: str, number: int, org: str) -> PullRecords:
        key = (repo.lower(), number)
        removed, overrides, version, retarget, requested, notified, ticks = await self._run(
            [
                (schema.REMOVED_REVIEWERS, key),
                (schema.OVERRIDES, key),
                (schema.ORG_VERSION, (org.lower(),)),
                (schema.RETARGETED_AT, key),
                (schema.REQUESTS, key),
                (schema.NOTIFIED, key),
                (schema.TICKS, key),
            ],
            fetch_all=True,
        )
        return PullRecords(
            removed=frozenset(str(r[0]) for r in removed),
            overrides=tuple(
                StoredOverride(str(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in overrides
            ),
            org_version=int(version[0][0]) if version else 0,
            retargeted_at=float(retarget[0][0]) if retarget else None,
            requested={str(r[0]): int(r[1]) for r in requested},
            notified=frozenset((str(r[0]), str(r[1])) for r in notified),
            ticks=tuple((str(r[0]), str(r[1]), str(r[2])) for r in ticks),
        )

    async def save_notified(self, repo: str, number: int, role: str, event: str) -> None:
        values = (repo.lower(), number, role, event, time.time())
        await self._run([(schema.SAVE_NOTIFIED, values)])

    async def plan_comment(self, repo: str, number: int) -> tuple[int, str] | None:
        [row] = await self._run([(schema.COMMENT, (repo.lower(), number))], fetch=True)
        return (int(row[0]), str(row[1])) if row else None

    async def save_plan_comment(
        self, repo: str, number: int, comment_id: int, content_hash: str
    ) -> None:
        values = (repo.lower(), number, comment_id, content_hash, time.time())
        await self._run([(schema.SAVE_COMMENT, values)])

    async def save_requests(self, repo: str, number: int, asked: Mapping[str, int]) -> None:
        now = time.time()
        await self._run(
            [
                (schema.SAVE_REQUEST, (repo.lower(), number, target.lower(), level, now))
                for target, level in asked.items()
            ]
        )

    async def save_retarget(self, repo: str, number: int) -> None:
        await self._run([(schema.SAVE_RETARGET, (repo.lower(), number, time.time()))])

    async def org_version(self, org: str) -> int:
        [row] = await self._run([(schema.ORG_VERSION, (org.lower(),))], fetch=True)
        return int(row[0]) if row else 0

    async def remember_sources(self, repo: str, sources: Sequence[str]) -> None:
        now = time.time()
        await self._run([(schema.SAVE_SOURCE, (s.lower(), repo.lower(), now)) for s in sources])

    async def dependents(self, source: str, since: float) -> list[str]:
        rows = await self._run([(schema.DEPENDENTS, (source.lower(), since))], fetch_all=True)
        return [str(r[0]) for r in rows[0]]

    async def recent_pulls(self, repo_pattern: str, since: float) -> list[tuple[str, int]]:
        rows = await self._run([(schema.RECENT_PULLS, (repo_pattern, since))], fetch_all=True)
        return [(str(r[0]), int(r[1])) for r in rows[0]]

    async def overrides(self, repo: str, number: int) -> list[StoredOverride]:
        rows = await self._run([(schema.OVERRIDES, (repo.lower(), number))], fetch_all=True)
        return [StoredOverride(str(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in rows[0]]
