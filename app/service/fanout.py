"""Jobs that stand for many: a merge-queue group's commit, and a config push that
re-evaluates every open PR of its branch."""

from __future__ import annotations

from app.github.client import counting_calls
from app.github.gateway import Gateway
from app.jobs.model import Job, JobKind, Outcome
from app.jobs.store import Journal
from app.policy.config import CONFIG_PATH, DEFAULT_CHECK_NAME
from app.policy.loading import ConfigError
from app.report import checkrun
from app.service.checks import upsert_check
from app.service.configs import Configs


async def merge_group(gateway: Gateway, journal: Journal, configs: Configs, job: Job) -> Outcome:
    """Merge queues wait for our check on the merge commit. Every PR in the group
    passed this check to get in, so the group gets a green check that says so."""
    calls = counting_calls()
    assert job.sha is not None
    content = checkrun.merge_group_passed(job.ref)
    name = DEFAULT_CHECK_NAME
    text = await gateway.file_text(job.installation_id, job.owner, job.repo, CONFIG_PATH, job.sha)
    if text is not None:
        try:
            name = (await configs.load(job, text, CONFIG_PATH)).config.options.check_name
        except ConfigError as error:
            content = checkrun.config_error(error.issues, f"on {job.ref}")
    await upsert_check(gateway, journal, job, job.sha, name, content)
    return Outcome(job, content.conclusion or "", content.title, calls.total())


async def config_changed(gateway: Gateway, journal: Journal, job: Job) -> None:
    """The config on a branch changed: queue every open PR that targets it."""
    assert job.ref is not None
    numbers = await gateway.open_pulls(job.installation_id, job.owner, job.repo, job.ref)
    await journal.enqueue(
        [Job(JobKind.PULL, job.owner, job.repo, job.installation_id, number=n) for n in numbers]
    )
