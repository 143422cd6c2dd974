"""One job, start to finish, in three phases: read, decide, act.

    read (snapshot.py: gateway, journal) -> decide (plan.py: detect, policy, report;
    pure) -> act (review requests, then the check run)

Everything is recomputed from GitHub's current state, so replays, duplicates and
out-of-order events are harmless. Any failure after the last retry posts a failing
check that says why (fail closed), never a silent green.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from app.github.client import counting_calls
from app.github.gateway import Gateway, GatewayError
from app.jobs.model import Job, JobKind, Outcome
from app.jobs.store import Journal
from app.policy.config import DEFAULT_CHECK_NAME
from app.report import checkrun
from app.service import fanout
from app.service.checks import upsert_check
from app.service.configs import Configs
from app.service.plan import Plan, findings_of, plan_invalid, plan_pull, required_roles
from app.service.snapshot import Closed, InvalidConfig, read_pull, read_review_facts

log = structlog.get_logger()


class Evaluator:
    """The worker's Handler: runs each kind of job."""

    def __init__(self, gateway: Gateway, journal: Journal) -> None:
        self.gateway = gateway
        self.journal = journal
        self.configs = Configs(gateway)

    async def run(self, job: Job) -> list[Outcome]:
        match job.kind:
            case JobKind.PULL:
                return [await self.evaluate_pull(job)]
            case JobKind.MERGE_GROUP:
                return [await fanout.merge_group(self.gateway, self.journal, self.configs, job)]
            case JobKind.CONFIG_CHANGED:
                await fanout.config_changed(self.gateway, self.journal, job)
                return []
            case JobKind.TEAMS_CHANGED:
                self.gateway.forget_teams(job.owner)
                return []
        raise AssertionError(job.kind)  # pragma: no cover

    async def fail_closed(self, job: Job, reason: str) -> None:
        """After the last retry: put the reason in a failing check on the PR's head."""
        if job.kind != JobKind.PULL or job.number is None:
            return
        try:
            pull = await self.gateway.pull(job.installation_id, job.owner, job.repo, job.number)
            content = checkrun.evaluation_error(reason)
            await upsert_check(
                self.gateway, self.journal, job, pull.head_sha, DEFAULT_CHECK_NAME, content
            )
        except GatewayError as error:
            log.error("fail_closed_unposted", job=job.key, reason=reason, error=str(error))

    async def evaluate_pull(self, job: Job) -> Outcome:
        calls = counting_calls()
        snapshot = await read_pull(self.gateway, self.configs, job)
        if isinstance(snapshot, Closed):
            return Outcome(job, "skipped", f"pull request is {snapshot.state}", calls.total())
        if isinstance(snapshot, InvalidConfig):
            plan = plan_invalid(snapshot)
        else:
            findings = findings_of(snapshot)
            required = required_roles(snapshot, findings)
            facts = await read_review_facts(self.gateway, self.journal, job, snapshot, required)
            plan = plan_pull(snapshot, findings, facts, job.owner)
        outcome = await self._act(job, plan, calls.total)
        log.info(
            "evaluated",
            job=job.key,
            conclusion=outcome.conclusion,
            title=outcome.title,
            github_calls=outcome.calls,
            calls_by_route=dict(calls),
            requested=list(outcome.requested),
        )
        return outcome

    async def _act(self, job: Job, plan: Plan, calls: Callable[[], int]) -> Outcome:
        """Ask for reviews, then show the check (with GitHub's refusal, if it refused)."""
        check = plan.check
        if plan.request:
            assert job.number is not None
            refused = await self.gateway.request_reviewers(
                job.installation_id,
                job.owner,
                job.repo,
                job.number,
                plan.request.users,
                plan.request.teams,
            )
            if refused:
                check = plan.check_with_note(refused)
        await upsert_check(self.gateway, self.journal, job, plan.sha, plan.check_name, check)
        conclusion = check.conclusion or check.status
        return Outcome(job, conclusion, check.title, calls(), tuple(plan.request.names()))
