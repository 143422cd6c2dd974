"""One job, start to finish, in three phases: read, decide, act.

    read (snapshot.py: gateway, journal) -> decide (plan.py: detect, policy, report;
    pure) -> act (review requests, then the check run)

Everything is recomputed from GitHub's current state, so replays, duplicates and
out-of-order events are harmless. Any failure after the last retry posts a failing
check that says why (fail closed), never a silent green.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import httpx
import structlog

from app.github.client import counting_calls
from app.github.gateway import Gateway, GatewayError
from app.jobs.model import REFUSED, Job, JobKind, Outcome
from app.jobs.store import Journal
from app.policy.config import DEFAULT_CHECK_NAME
from app.policy.loading import ConfigError
from app.policy.requests import ReviewRequest
from app.report import checkrun
from app.service import fanout, notify
from app.service.checks import upsert_check
from app.service.comments import upsert_plan_comment
from app.service.configs import Configs
from app.service.history import evaluation_of
from app.service.merge_queue import check_group
from app.service.plan import Plan, findings_of, plan_invalid, plan_pull, required_roles
from app.service.snapshot import Closed, InvalidConfig, read_pull, read_review_facts

T = TypeVar("T")
log = structlog.get_logger()


class Evaluator:
    """The worker's Handler: runs each kind of job."""

    def __init__(
        self,
        gateway: Gateway,
        journal: Journal,
        notify_transport: httpx.AsyncBaseTransport | None = None,
        pages_url: str | None = None,
        turns: threading.Lock | None = None,
    ) -> None:
        self.gateway = gateway
        self.journal = journal
        self.pages_url = pages_url  # when the pages are on, each check links its PR's page
        self.notify_transport = notify_transport  # tests hand a local receiver
        self.configs = Configs(gateway)
        # held while detection and the policy run: the journal's writes take turns
        # with them (SqliteJournal.take_turns); a lock nobody else takes where unset
        self.turns = turns or threading.Lock()
        self._names: dict[str, str] = {}  # repository -> the check name its config gives
        self._sources: dict[str, tuple[str, ...]] = {}  # repository -> what it extends

    async def run(self, job: Job) -> list[Outcome]:
        match job.kind:
            case JobKind.PULL:
                return [await self.evaluate_pull(job)]
            case JobKind.MERGE_GROUP:
                return [await self.merge_group(job)]
            case JobKind.CONFIG_CHANGED:
                await fanout.config_changed(self.gateway, self.journal, job)
                return []
            case JobKind.TEAMS_CHANGED:
                await fanout.teams_changed(self.gateway, self.journal, job)
                return []
            case JobKind.EXTENDS_CHANGED:
                await fanout.extends_changed(self.journal, job)
                return []
            case JobKind.NOTIFY:
                await notify.send(job, transport=self.notify_transport)
                return []
        raise AssertionError(job.kind)  # pragma: no cover

    async def fail_closed(self, job: Job, reason: str) -> None:
        """After the last retry: put the reason in a failing check, under the name the
        repository's config gave its check, on the commit the job is about."""
        if job.kind not in (JobKind.PULL, JobKind.MERGE_GROUP):
            return
        repo = f"{job.owner}/{job.repo}"
        sha = await self._head(job)
        if sha is None:
            log.error("fail_closed_unposted", job=job.key, reason=reason, error="no head known")
            return
        name = await self.check_name(repo)
        content = checkrun.evaluation_error(reason)
        try:
            await upsert_check(self.gateway, self.journal, job, sha, name, content)
        except GatewayError as error:
            log.error("fail_closed_unposted", job=job.key, reason=reason, error=str(error))

    async def check_name(self, repo: str) -> str:
        """The check's name when the config cannot be read now: the one this process
        last read, else the one last posted, else the default."""
        known = self._names.get(repo.lower()) or await self.journal.last_check_name(repo)
        return known or DEFAULT_CHECK_NAME

    async def _head(self, job: Job) -> str | None:
        """The commit to mark: GitHub's word on the PR's head, else the head the latest
        event named, else the one we last posted a check on."""
        if job.kind == JobKind.MERGE_GROUP or job.number is None:
            return job.sha
        try:
            pull = await self.gateway.pull(job.installation_id, job.owner, job.repo, job.number)
        except GatewayError:
            return job.sha or await self.journal.last_head(f"{job.owner}/{job.repo}", job.number)
        return pull.head_sha

    async def evaluate_pull(self, job: Job) -> Outcome:
        calls = counting_calls()
        plan = await self.plan(job)
        if isinstance(plan, Closed):
            assert job.number is not None
            await self.journal.close_pull(f"{job.owner}/{job.repo}", job.number, plan.state)
            return Outcome(job, "skipped", f"pull request is {plan.state}", calls.total())
        outcome = await self._act(job, plan, calls.total)
        evaluation = evaluation_of(f"{job.owner}/{job.repo}", plan)
        if evaluation is not None:
            await self.journal.save_evaluation(evaluation)
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

    async def plan(self, job: Job) -> Plan | Closed:
        """Read and decide for one pull request; nothing is written."""
        repo = f"{job.owner}/{job.repo}"
        snapshot = await read_pull(self.gateway, self.configs, job)
        if isinstance(snapshot, Closed):
            return snapshot
        if isinstance(snapshot, InvalidConfig):
            return plan_invalid(snapshot, await self.check_name(repo))
        self._names[repo.lower()] = snapshot.config.options.check_name
        if snapshot.extends and self._sources.get(repo.lower()) != snapshot.extends:
            await self.journal.remember_sources(repo, snapshot.extends)
            self._sources[repo.lower()] = snapshot.extends
        # Detection and the policy are pure CPU (milliseconds to tens of them for a big
        # PR): off the event loop, so the receiver sharing it answers webhooks meanwhile
        findings = await asyncio.to_thread(self._in_turn, findings_of, snapshot)
        required = required_roles(snapshot, findings)
        facts = await read_review_facts(self.gateway, self.journal, job, snapshot, required)
        return await asyncio.to_thread(
            self._in_turn, plan_pull, snapshot, findings, facts, job.owner
        )

    def _in_turn(self, work: Callable[..., T], *args: Any) -> T:
        with self.turns:
            return work(*args)

    async def merge_group(self, job: Job) -> Outcome:
        """Check a merge group: every PR in it must pass now (merge_queue.py)."""
        calls = counting_calls()
        assert job.sha is not None
        assert job.base_sha is not None
        name = await self.check_name(f"{job.owner}/{job.repo}")
        try:
            loaded = await self.configs.at_base(job, job.base_sha)
        except ConfigError as error:
            content = checkrun.config_error(error.issues, f"on {job.ref}")
        else:
            name = loaded.config.options.check_name
            content = await check_group(self.gateway, job, self._member_plan)
        await upsert_check(self.gateway, self.journal, job, job.sha, name, content)
        return Outcome(job, content.conclusion or "", content.title, calls.total())

    async def _member_plan(self, job: Job) -> Plan | None:
        """A merge group member's plan; None when the number is no open PR here."""
        try:
            plan = await self.plan(job)
        except GatewayError as error:
            if error.status == 404:
                return None
            raise
        return None if isinstance(plan, Closed) else plan

    async def _act(self, job: Job, plan: Plan, calls: Callable[[], int]) -> Outcome:
        """Ask for reviews, then show the check (with GitHub's refusals, if any)."""
        check = plan.check
        if plan.request:
            check = plan.check_with_notes(await self._ask(job, plan.request))
        details = self._details_url(job)
        await upsert_check(
            self.gateway, self.journal, job, plan.sha, plan.check_name, check, details
        )
        if plan.recheck_at is not None:  # a held role falls due then: look again
            await self.journal.enqueue([replace(job, sha=None)], at=plan.recheck_at)
        await self._notify(job, plan)
        if plan.comment is not None and plan.decision is not None:
            required = bool(plan.decision.required)
            await upsert_plan_comment(self.gateway, self.journal, job, plan.comment, required)
        conclusion = check.conclusion or check.status
        return Outcome(job, conclusion, check.title, calls(), tuple(plan.request.names()))

    def _details_url(self, job: Job) -> str | None:
        if self.pages_url is None or job.number is None:
            return None
        return f"{self.pages_url.rstrip('/')}/{job.owner}/{job.repo}/pull/{job.number}"

    async def _notify(self, job: Job, plan: Plan) -> None:
        """Queue each notice's jobs, then remember it was sent (once per PR and role)."""
        assert job.number is not None
        for notice in plan.notices:
            await self.journal.enqueue(notify.jobs_for(job, notice, plan.files_url or ""))
            await self.journal.save_notified(
                f"{job.owner}/{job.repo}", job.number, notice.role, notice.event
            )

    async def _ask(self, job: Job, request: ReviewRequest) -> list[str]:
        """Request the reviews, remembering whom at what severity. GitHub refuses the
        whole request for one bad name (422): then each is asked alone, the good ones
        are asked after all, and the refused ones are named and not asked again."""
        assert job.number is not None
        where = (job.installation_id, job.owner, job.repo, job.number)
        refused = await self.gateway.request_reviewers(*where, request.users, request.teams)
        levels = dict(request.levels)
        notes: list[str] = []
        if refused and len(request.users) + len(request.teams) > 1:
            for kind, name in [
                *(("team", t) for t in request.teams),
                *(("user", u) for u in request.users),
            ]:
                users, teams = ([name], []) if kind == "user" else ([], [name])
                alone = await self.gateway.request_reviewers(*where, users, teams)
                if alone:
                    notes.append(alone)
                    levels[name.lower() if kind == "user" else f"team:{name.lower()}"] = REFUSED
        elif refused:
            notes.append(refused)
            levels = dict.fromkeys(levels, REFUSED)
        await self.journal.save_requests(f"{job.owner}/{job.repo}", job.number, levels)
        return notes
