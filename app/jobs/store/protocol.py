"""What the rest of the App may ask of a journal: the Protocol both backends meet
(journal.py holds their shared logic, sqlite.py and postgres.py their connections)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from app.jobs.model import (
    Claimed,
    Job,
    OverrideCommand,
    PullRecords,
    StoredOverride,
    TickEdit,
)
from app.jobs.store.bodies import StoredDelivery
from app.jobs.store.history import HistoryStore

# How long a claimed job stays a worker's without a renewal: the worker renews it
# every third of this while the job runs, so a worker that dies lets go within it.
LEASE_SECONDS = 15.0


class Journal(HistoryStore, Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def accept(
        self, delivery_id: str, event: str, action: str | None, body: bytes, jobs: Sequence[Job]
    ) -> bool:
        """Record a delivery and queue its jobs; False if this delivery was seen before."""
        ...

    async def enqueue(self, jobs: Sequence[Job], at: float | None = None) -> None:
        """Queue jobs (coalescing by key) to run now, or not before `at`."""
        ...

    async def claim(
        self, now: float | None = None, lease: float = LEASE_SECONDS
    ) -> Claimed | None: ...
    async def renew(self, claimed: Claimed, lease: float = LEASE_SECONDS) -> None:
        """Keep a running job leased for `lease` more seconds."""
        ...

    async def finish(self, claimed: Claimed) -> None: ...
    async def retry(self, claimed: Claimed, delay: float) -> None: ...
    async def pending(self) -> int: ...
    async def has_delivery(self, delivery_id: str) -> bool:
        """Whether this delivery (its X-GitHub-Delivery) was received and kept."""
        ...

    async def delivery(self, delivery_id: str) -> StoredDelivery | None:
        """A delivery as it was received (kept KEEP_DELIVERIES_DAYS), else None."""
        ...

    async def prune(self, older_than: float, records_older_than: float | None = None) -> int: ...
    async def remember_removed(self, repo: str, number: int, reviewer: str) -> None: ...
    async def removed_reviewers(self, repo: str, number: int) -> set[str]: ...
    async def check_run(self, repo: str, sha: str, name: str) -> tuple[int, str] | None: ...
    async def save_check_run(
        self,
        repo: str,
        sha: str,
        name: str,
        check_run_id: int,
        content_hash: str,
        number: int | None = None,
    ) -> None: ...
    async def last_check_name(self, repo: str) -> str | None:
        """The name of the check last posted in this repository."""
        ...

    async def save_override(self, command: OverrideCommand) -> None:
        """Record `/release-roles override` (or its --revoke); the latest per role wins."""
        ...

    async def save_ticks(self, edit: TickEdit) -> None:
        """Boxes of the release plan ticked (by `edit.by`) or cleared."""
        ...

    async def bump_org(self, org: str) -> None:
        """An org's teams changed: every process's cached membership of them is old."""
        ...

    async def pull_records(self, repo: str, number: int, org: str) -> PullRecords:
        """What the journal knows of one PR, in one round trip: the reviewers a human
        removed, the standing overrides, the org's teams version, the last retarget."""
        ...

    async def save_retarget(self, repo: str, number: int) -> None:
        """The PR was moved to another base branch (now)."""
        ...

    async def save_requests(self, repo: str, number: int, asked: Mapping[str, int]) -> None:
        """We asked these (login or `team:slug`) at these severities."""
        ...

    async def plan_comment(self, repo: str, number: int) -> tuple[int, str] | None:
        """(comment id, content digest) of the PR's release-plan comment."""
        ...

    async def save_notified(self, repo: str, number: int, role: str, event: str) -> None: ...

    async def save_plan_comment(
        self, repo: str, number: int, comment_id: int, content_hash: str
    ) -> None: ...

    async def org_version(self, org: str) -> int: ...
    async def remember_sources(self, repo: str, sources: Sequence[str]) -> None:
        """`repo`'s config extends these repositories."""
        ...

    async def dependents(self, source: str, since: float) -> list[str]:
        """Repositories whose config extended `source` (seen since `since`)."""
        ...

    async def recent_pulls(self, repo_pattern: str, since: float) -> list[tuple[str, int]]:
        """(owner/repo, number) of PRs checked since `since`; `repo_pattern` a SQL LIKE
        over lower-case owner/repo ("acme/%" for an org)."""
        ...

    async def overrides(self, repo: str, number: int) -> list[StoredOverride]:
        """The PR's standing overrides, one per role."""
        ...

    async def last_head(self, repo: str, number: int) -> str | None:
        """The commit of the PR that last got a check from us."""
        ...

    async def listen(self, wake: Callable[[], None]) -> None:
        """Call `wake` whenever another process queues a job; return at once where the
        backend cannot tell (workers then poll)."""
        ...

    def take_turns(self, turns: threading.Lock) -> None:
        """Write only while holding `turns`, which this process's CPU-bound work holds
        while it runs (the worker's detection); a no-op where writers block nobody."""
        ...
