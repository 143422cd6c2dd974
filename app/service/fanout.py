"""Jobs that stand for many: a config push re-evaluates every open PR of its branch."""

from __future__ import annotations

from app.github.gateway import Gateway
from app.jobs.model import Job, JobKind
from app.jobs.store import Journal


async def config_changed(gateway: Gateway, journal: Journal, job: Job) -> None:
    """The config on a branch changed: queue every open PR that targets it."""
    assert job.ref is not None
    numbers = await gateway.open_pulls(job.installation_id, job.owner, job.repo, job.ref)
    await journal.enqueue(
        [Job(JobKind.PULL, job.owner, job.repo, job.installation_id, number=n) for n in numbers]
    )
