"""The sticky release-plan comment on GitHub: created once per PR when a role is
required, edited in place when the plan changes (the journal keeps its id and digest),
created again only if a person deleted it."""

from __future__ import annotations

import hashlib

from app.github.gateway import Gateway
from app.jobs.model import Job
from app.jobs.store import Journal


async def upsert_plan_comment(
    gateway: Gateway, journal: Journal, job: Job, body: str, required: bool
) -> None:
    assert job.number is not None
    repo = f"{job.owner}/{job.repo}"
    digest = hashlib.sha256(body.encode()).hexdigest()[:32]
    known = await journal.plan_comment(repo, job.number)
    if known is not None and known[1] == digest:
        return
    where = (job.installation_id, job.owner, job.repo)
    if known is not None and await gateway.update_comment(*where, known[0], body):
        await journal.save_plan_comment(repo, job.number, known[0], digest)
        return
    if not required:
        return  # no comment to correct, and none to post just to say nothing
    comment_id = await gateway.create_comment(*where, job.number, body)
    await journal.save_plan_comment(repo, job.number, comment_id, digest)
