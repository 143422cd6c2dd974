"""What the worker is asked to do (every webhook reduces to one of these jobs), what
doing it produced, and the Protocol of whoever does it: the worker knows its handler
only through `Handler`, so nothing here depends on the service or on GitHub.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, fields
from typing import Protocol

import orjson


class JobKind(enum.StrEnum):
    PULL = "pull"  # evaluate one pull request
    MERGE_GROUP = "merge_group"  # check a merge-queue group: every PR in it must pass
    CONFIG_CHANGED = "config_changed"  # re-evaluate the open PRs of a branch
    TEAMS_CHANGED = "teams_changed"  # an org's teams changed: re-evaluate its PRs
    EXTENDS_CHANGED = "extends_changed"  # a config others extend changed: re-evaluate theirs
    NOTIFY = "notify"  # send one role's notification (retried; never blocks the check)


@dataclass(frozen=True, slots=True)
class Job:
    kind: JobKind
    owner: str
    repo: str
    installation_id: int
    number: int | None = None
    sha: str | None = None
    ref: str | None = None  # a branch name (config pushes, merge groups' base)
    base_sha: str | None = None  # a merge group's base commit
    head_ref: str | None = None  # a merge group's branch: gh-readonly-queue/<base>/pr-<n>-<sha>
    message: str | None = None  # a notification: JSON of what to send, and where

    @property
    def key(self) -> str:
        """Jobs with the same key coalesce: only the latest waits in the queue."""
        where = f"{self.owner}/{self.repo}".lower()
        match self.kind:
            case JobKind.PULL:
                return f"pull:{where}#{self.number}"
            case JobKind.MERGE_GROUP:
                return f"merge_group:{where}@{self.sha}"
            case JobKind.CONFIG_CHANGED:
                return f"config:{where}:{self.ref}"
            case JobKind.TEAMS_CHANGED:
                return f"teams:{self.owner.lower()}"
            case JobKind.EXTENDS_CHANGED:
                return f"extends:{where}"
            case JobKind.NOTIFY:
                # one per PR, role, event and target: the text may change, the notice not
                about = json.loads(self.message or "{}")
                target = "+".join(str(v) for v in sorted(about.get("target", {}).values()))
                notice = f"{about.get('role')}:{about.get('event')}:{target}"
                return f"notify:{where}#{self.number}:{notice}"
        raise AssertionError(self.kind)  # pragma: no cover

    def dumps(self) -> str:
        # a flat dataclass: read its fields directly (dataclasses.asdict copies
        # recursively, 70 µs of each delivery the receiver records)
        fields = {name: getattr(self, name) for name in _JOB_FIELDS}
        return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode()

    @classmethod
    def loads(cls, text: str) -> Job:
        data = orjson.loads(text)
        data["kind"] = JobKind(data["kind"])
        return cls(**data)


_JOB_FIELDS = tuple(f.name for f in fields(Job))


@dataclass(frozen=True, slots=True)
class TickEdit:
    """Someone ticked or cleared checklist boxes of the release-plan comment: (role,
    item key) pairs, read from the comment's body before and after their edit."""

    repo: str  # owner/name
    number: int
    comment_id: int
    by: str
    ticked: frozenset[tuple[str, str]]
    cleared: frozenset[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class OverrideCommand:
    """`/release-roles override <role> --reason "..."` (or `--revoke <role>`), as a
    comment said it; recorded with its delivery, judged at evaluation."""

    repo: str  # owner/name
    number: int
    role: str
    by: str
    reason: str = ""
    revoke: bool = False


@dataclass(frozen=True, slots=True)
class StoredOverride:
    role: str
    by: str
    reason: str
    at: float  # Unix time it was recorded


REFUSED = 99  # a `requested` severity: GitHub refused the request, do not ask again


@dataclass(frozen=True, slots=True)
class PullRecords:
    removed: frozenset[str]  # logins and `team:slug` a human removed from the requests
    overrides: tuple[StoredOverride, ...]
    org_version: int  # bumped on the org's membership and team events
    retargeted_at: float | None = None  # when the PR last got another base branch
    # login or `team:slug` -> the worst severity its role had when we asked it
    # (REFUSED: GitHub would not have them asked)
    requested: dict[str, int] = field(default_factory=dict)
    notified: frozenset[tuple[str, str]] = frozenset()  # (role, event) already sent
    ticks: tuple[tuple[str, str, str], ...] = ()  # (role, item key, by) of the plan's boxes


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job leased to one worker; `generation` detects a newer event for the same key."""

    job: Job
    generation: int
    attempts: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one evaluation did, for logs, tests and benchmarks."""

    job: Job
    conclusion: str
    title: str
    calls: int
    requested: tuple[str, ...] = ()


class RetryLater(Exception):  # noqa: N818 - it is an instruction, not a failure
    """The job could not be done now; run it again. `retry_after`: how long the far
    side asked us to wait (rate limits); otherwise the worker's own backoff applies."""

    def __init__(self, message: str, *, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Handler(Protocol):
    async def run(self, job: Job) -> list[Outcome]:
        """Do the job; raise RetryLater to have it tried again."""
        ...

    async def fail_closed(self, job: Job, reason: str) -> None:
        """After the last attempt: leave a failing, explained result behind."""
        ...
