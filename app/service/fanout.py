"""Jobs that stand for many: a change that can alter other PRs' verdicts re-evaluates
them. A config push: every open PR of its branch. A membership or team event: every
PR of the org checked lately (the teams' members are read afresh, in every process).
A push to a config that others `extends`: their PRs checked lately."""

from __future__ import annotations

import time

from app.github.gateway import Gateway
from app.jobs.model import Job, JobKind
from app.jobs.store import Journal

RECENT_SECONDS = 30 * 86400.0  # a PR checked within this is still someone's work


async def config_changed(gateway: Gateway, journal: Journal, job: Job) -> None:
    """The config on a branch changed: queue every open PR that targets it."""
    assert job.ref is not None
    numbers = await gateway.open_pulls(job.installation_id, job.owner, job.repo, job.ref)
    await journal.enqueue(
        [Job(JobKind.PULL, job.owner, job.repo, job.installation_id, number=n) for n in numbers]
    )


async def teams_changed(gateway: Gateway, journal: Journal, job: Job) -> None:
    await journal.bump_org(job.owner)
    gateway.forget_teams(job.owner)
    pulls = await journal.recent_pulls(
        f"{_like(job.owner.lower())}/%", time.time() - RECENT_SECONDS
    )
    await _reevaluate(journal, job, pulls)


async def extends_changed(journal: Journal, job: Job) -> None:
    since = time.time() - RECENT_SECONDS
    pulls = []
    for repo in await journal.dependents(f"{job.owner}/{job.repo}", since):
        pulls += await journal.recent_pulls(_like(repo), since)
    await _reevaluate(journal, job, pulls)


async def _reevaluate(journal: Journal, job: Job, pulls: list[tuple[str, int]]) -> None:
    jobs = []
    for repo, number in pulls:
        owner, name = repo.split("/", 1)
        jobs.append(Job(JobKind.PULL, owner, name, job.installation_id, number=number))
    if jobs:
        await journal.enqueue(jobs)


def _like(text: str) -> str:
    """`text` as a literal in a SQL LIKE pattern (GitHub names hold `_` and `.`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
