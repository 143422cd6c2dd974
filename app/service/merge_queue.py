"""A merge group is checked, never trusted: it passes only if every pull request in
it would pass now, and nothing in it belongs to no pull request we found.

The group's pull requests: the one its branch names (`gh-readonly-queue/<base>/pr-<n>-
<sha>`) and those its commits name (`Title (#n)` squash and `Merge pull request #n`
merge commits), each confirmed with GitHub. A PR that waits for a role, an override
revoked, a member gone from a team while the PR sat in the queue: the group is red and
says which PR holds it. A group that cannot be read is red with the reason, so a queue
never waits for a check that does not come.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from app.github.client import GatewayError
from app.github.gateway import Gateway
from app.jobs.model import Job, JobKind
from app.report import messages
from app.report.checkrun import CheckRunContent, merge_group_result
from app.service.plan import Plan

_QUEUE_BRANCH = re.compile(r"^gh-readonly-queue/.+/pr-(\d+)-[0-9a-f]{40}$")
_NAMED = re.compile(r"^Merge pull request #(\d+)\b|\(#(\d+)\)$")

PlanPull = Callable[[Job], Awaitable["Plan | None"]]


@dataclass(frozen=True, slots=True)
class Member:
    number: int
    plan: Plan


def numbers_in(head_ref: str | None, subjects: list[str]) -> list[int]:
    """The pull requests a group's branch and commit subjects name, in queue order."""
    found: list[int] = []
    for subject in subjects:
        match = _NAMED.search(subject)
        if match:
            found.append(int(match.group(1) or match.group(2)))
    branch = _QUEUE_BRANCH.match(head_ref or "")
    if branch:
        found.append(int(branch.group(1)))
    return list(dict.fromkeys(found))


async def check_group(gateway: Gateway, job: Job, plan_pull: PlanPull) -> CheckRunContent:
    """The check for a merge group's head commit."""
    assert job.sha is not None
    assert job.base_sha is not None
    try:
        changes = await gateway.changes(
            job.installation_id, job.owner, job.repo, job.base_sha, job.sha
        )
    except GatewayError as error:
        return messages_only(messages.group_unreadable(str(error)))
    if not changes.complete:
        return messages_only(messages.GROUP_TOO_LARGE)
    subjects = [c.message.split("\n", 1)[0] for c in changes.commits]
    members: list[Member] = []
    for number in numbers_in(job.head_ref, subjects):
        pull_job = replace(job, kind=JobKind.PULL, number=number, sha=None, ref=None)
        plan = await plan_pull(pull_job)
        if plan is not None:
            members.append(Member(number, plan))
    return merge_group_result(
        [(m.number, m.plan.check) for m in members],
        unclaimed=sorted(changes.paths - _covered(members)),
    )


def _covered(members: list[Member]) -> frozenset[str]:
    return frozenset(path for m in members for path in m.plan.paths)


def messages_only(reason: str) -> CheckRunContent:
    return CheckRunContent("completed", "failure", messages.GROUP_FAILED_TITLE, reason)
