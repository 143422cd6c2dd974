"""The check run on GitHub: created once per commit and name, updated only when what
it shows changed (the journal keeps each one's id and content digest), annotations
sent 50 to a request as GitHub takes them."""

from __future__ import annotations

from typing import Any

from app.github.gateway import Gateway
from app.jobs.model import Job
from app.jobs.store import Journal
from app.report.checkrun import CheckRunContent

ANNOTATION_BATCH = 50


async def upsert_check(
    gateway: Gateway,
    journal: Journal,
    job: Job,
    sha: str,
    name: str,
    content: CheckRunContent,
    details_url: str | None = None,
) -> None:
    repo = f"{job.owner}/{job.repo}"
    known = await journal.check_run(repo, sha, name)
    digest = content.digest()
    if known is not None and known[1] == digest:
        return
    data: dict[str, Any] = {
        "name": name,
        "head_sha": sha,
        "status": content.status,
        "output": {"title": content.title, "summary": content.summary},
    }
    if content.conclusion is not None:
        data["conclusion"] = content.conclusion
    if details_url is not None:  # the PR's page on our server (PUBLIC_URL)
        data["details_url"] = details_url
    batches = [
        list(content.annotations[i : i + ANNOTATION_BATCH])
        for i in range(0, len(content.annotations), ANNOTATION_BATCH)
    ]
    inst = job.installation_id
    if known is None:
        if batches:
            data["output"]["annotations"] = batches[0]
        check_id = await gateway.create_check(inst, job.owner, job.repo, data)
        for batch in batches[1:]:
            output = {"title": content.title, "summary": content.summary, "annotations": batch}
            await gateway.update_check(inst, job.owner, job.repo, check_id, {"output": output})
    else:
        check_id = known[0]
        del data["head_sha"]
        await gateway.update_check(inst, job.owner, job.repo, check_id, data)
    await journal.save_check_run(repo, sha, name, check_id, digest, job.number)
