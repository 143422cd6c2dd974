"""What the worker is asked to do: every webhook reduces to one of these jobs."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass


class JobKind(enum.StrEnum):
    PULL = "pull"  # evaluate one pull request
    MERGE_GROUP = "merge_group"  # post the check on a merge-queue commit
    CONFIG_CHANGED = "config_changed"  # re-evaluate the open PRs of a branch
    TEAMS_CHANGED = "teams_changed"  # forget cached team membership of an org


@dataclass(frozen=True, slots=True)
class Job:
    kind: JobKind
    owner: str
    repo: str
    installation_id: int
    number: int | None = None
    sha: str | None = None
    ref: str | None = None  # a branch name (config pushes, merge groups' base)

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
        raise AssertionError(self.kind)  # pragma: no cover

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def loads(cls, text: str) -> Job:
        data = json.loads(text)
        data["kind"] = JobKind(data["kind"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job leased to one worker; `generation` detects a newer event for the same key."""

    job: Job
    generation: int
    attempts: int
