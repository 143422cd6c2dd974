"""One job, start to finish: fresh facts from GitHub -> the pure core -> GitHub.

    snapshot (gateway) -> detect -> policy -> check run + review requests (gateway)

Everything is recomputed from GitHub's current state, so replays, duplicates
and out-of-order events are harmless. Any failure after the last retry posts a
failing check that says why (fail closed), never a silent green.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import structlog

from app.detect.base import ChangedFile, FileStatus, Finding, Kind
from app.detect.dependencies import dependency_file
from app.detect.deps import graph
from app.detect.registry import content_wanted, run_detectors
from app.github.gateway import Gateway, GatewayError, PullInfo, counting_calls
from app.jobs.journal import Journal
from app.jobs.model import Job, JobKind
from app.policy.config import CONFIG_PATH, REPOSITORY, Config, Role
from app.policy.evaluate import Decision, RoleState, evaluate
from app.policy.facts import PullFacts, Review, ReviewState
from app.policy.loading import (
    ConfigError,
    ExtendsError,
    LoadedConfig,
    default_config,
    load_config,
)
from app.report import checkrun
from app.report.checkrun import CheckRunContent

log = structlog.get_logger()
PARSED_CONFIGS = 256
# Whole files (base and head) read for detectors per evaluation, and at once.
MAX_CONTENT_FILES = 30
CONTENT_CONCURRENCY = 8
ANNOTATION_BATCH = 50
DEFAULT_CHECK_NAME = "Release roles"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one evaluation did, for logs, tests and benchmarks."""

    job: Job
    conclusion: str
    title: str
    calls: int
    requested: tuple[str, ...] = ()


class Evaluator:
    def __init__(self, gateway: Gateway, journal: Journal) -> None:
        self.gateway = gateway
        self.journal = journal
        # Parsed configs by their exact inputs: parsing YAML with positions was a
        # tenth of an evaluation's CPU, and most evaluations see the same text.
        self._parsed: OrderedDict[tuple[Any, ...], LoadedConfig] = OrderedDict()

    async def run(self, job: Job) -> list[Outcome]:
        match job.kind:
            case JobKind.PULL:
                return [await self.evaluate_pull(job)]
            case JobKind.MERGE_GROUP:
                return [await self.merge_group(job)]
            case JobKind.CONFIG_CHANGED:
                await self.config_changed(job)
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
            await self._upsert(job, pull.head_sha, DEFAULT_CHECK_NAME, content)
        except GatewayError as error:
            log.error("fail_closed_unposted", job=job.key, reason=reason, error=str(error))

    # --- pull requests -------------------------------------------------------------------

    async def evaluate_pull(self, job: Job) -> Outcome:
        calls = counting_calls()
        inst, owner, repo = job.installation_id, job.owner, job.repo
        assert job.number is not None
        pull = await self.gateway.pull(inst, owner, repo, job.number)
        if pull.state != "open":
            return Outcome(job, "skipped", f"pull request is {pull.state}", sum(calls.values()))
        files_task = asyncio.create_task(self.gateway.files(inst, owner, repo, pull.number))
        reviews_task = asyncio.create_task(self.gateway.reviews(inst, owner, repo, pull.number))
        try:
            loaded = await self._config(job, pull.base_sha)
            files = await files_task
            reviews = await reviews_task
        except ConfigError as error:
            _cancel(files_task, reviews_task)
            content = checkrun.config_error(error.issues, f"on {pull.base_ref}")
            await self._upsert(job, pull.head_sha, DEFAULT_CHECK_NAME, content)
            return Outcome(job, "failure", content.title, sum(calls.values()))
        except BaseException:
            _cancel(files_task, reviews_task)
            raise
        config = loaded.config
        name = config.options.check_name
        if any(f.path == CONFIG_PATH for f in files):
            problem = await self._config_in_change(job, pull)
            if problem is not None:
                await self._upsert(job, pull.head_sha, name, problem)
                return Outcome(job, "failure", problem.title, sum(calls.values()))
        graph = await self._dependency_graph(job, config, pull, files)
        content_notes = await self._fetch_contents(job, config, pull, files, skip=graph)
        decision = await self._decide(job, config, pull, files, reviews, graph)
        requested, notes = await self._request_reviews(job, config, pull, decision, reviews)
        if notes or content_notes:
            decision = _with_notes(decision, content_notes + notes)
        draft_note = (
            "Draft: reviewers will be requested when it is ready for review."
            if pull.draft and config.options.skip_drafts
            else None
        )
        content = checkrun.from_decision(
            decision, files_url=f"{pull.html_url}/files", draft_note=draft_note
        )
        await self._upsert(job, pull.head_sha, name, content)
        outcome = Outcome(
            job,
            content.conclusion or content.status,
            content.title,
            sum(calls.values()),
            tuple(requested),
        )
        log.info(
            "evaluated",
            job=job.key,
            conclusion=outcome.conclusion,
            title=outcome.title,
            github_calls=outcome.calls,
            calls_by_route=dict(calls),
            requested=requested,
        )
        return outcome

    async def _config(self, job: Job, base_sha: str) -> LoadedConfig:
        """The config on the PR's base commit (so a PR cannot weaken its own rules)."""
        text = await self.gateway.file_text(
            job.installation_id, job.owner, job.repo, CONFIG_PATH, base_sha
        )
        if text is None:
            return default_config()
        return await self._load(job, text, f"{CONFIG_PATH}@{base_sha[:7]}")

    async def _load(self, job: Job, text: str, source: str) -> LoadedConfig:
        """load_config with `extends: owner/repo` fetched beforehand (the core does no I/O)."""
        fetched: dict[str, tuple[str, str] | str] = {}
        while True:
            key = (text, source, tuple(sorted(fetched.items())))
            if (cached := self._parsed.get(key)) is not None:
                self._parsed.move_to_end(key)
                return cached
            try:
                loaded = load_config(text, source, lambda value, _src: _lookup(fetched, value))
            except _NeedsFetchError as need:
                fetched[need.value] = await self._fetch_extends(job, need.value)
                continue
            self._parsed[key] = loaded
            if len(self._parsed) > PARSED_CONFIGS:
                self._parsed.popitem(last=False)
            return loaded

    async def _fetch_extends(self, job: Job, value: str) -> tuple[str, str] | str:
        """The text an `extends:` names, or why it cannot be had (reported at its line)."""
        if not REPOSITORY.match(value):
            return f"extends: {value!r} must name a repository as owner/repo"
        owner, repo = value.split("/", 1)
        text = await self.gateway.file_text(job.installation_id, owner, repo, CONFIG_PATH, None)
        if text is None:
            return (
                f"extends: {value} has no {CONFIG_PATH} on its default branch, or this app "
                "is not installed there"
            )
        return text, f"{value}:{CONFIG_PATH}"

    async def _config_in_change(self, job: Job, pull: PullInfo) -> CheckRunContent | None:
        """A PR that edits the config must leave it valid: its errors fail the check."""
        text = await self.gateway.file_text(
            job.installation_id, job.owner, job.repo, CONFIG_PATH, pull.head_sha
        )
        if text is None:
            return None  # deleted: the base config still applies until merge
        try:
            await self._load(job, text, f"{CONFIG_PATH} (this pull request)")
        except ConfigError as error:
            return checkrun.config_error(error.issues, "in this pull request")
        return None

    async def _dependency_graph(
        self, job: Job, config: Config, pull: PullInfo, files: list[ChangedFile]
    ) -> list[Finding] | None:
        """Dependency findings from GitHub's dependency graph (one call, licences and
        advisories included) when the repository has one and a dependency file changed;
        None means: compare the files ourselves."""
        settings = config.detectors.by_name().get("dependencies")
        if settings is not None and not settings.enabled:
            return None
        if not any(dependency_file(f.path) for f in files):
            return None
        changes = await self.gateway.dependency_changes(
            job.installation_id, job.owner, job.repo, pull.base_sha, pull.head_sha
        )
        return None if changes is None else graph.findings(changes)

    async def _fetch_contents(
        self,
        job: Job,
        config: Config,
        pull: PullInfo,
        files: list[ChangedFile],
        skip: list[Finding] | None = None,
    ) -> list[str]:
        """Whole base and head texts of the files detectors read whole (lockfiles,
        migrations only their content can confirm), so detection itself does no I/O.
        Returns check-run notes for files left to their diff."""
        wanted = content_wanted(files, config.detectors.by_name())
        if skip is not None:  # the dependency graph already compared these
            wanted = [f for f in wanted if not dependency_file(f.path)]
        if not wanted:
            return []
        inst, owner, repo = job.installation_id, job.owner, job.repo
        base = await self.gateway.merge_base(inst, owner, repo, pull.base_sha, pull.head_sha)
        limit = asyncio.Semaphore(CONTENT_CONCURRENCY)

        async def text(path: str, ref: str) -> str | None:
            async with limit:
                return await self.gateway.file_text(inst, owner, repo, path, ref)

        async def load(changed: ChangedFile) -> None:
            before, after = await asyncio.gather(
                text(changed.base_path, base) if changed.status != FileStatus.ADDED else _nothing(),
                text(changed.path, pull.head_sha)
                if changed.status != FileStatus.REMOVED
                else _nothing(),
            )
            changed.base_loader = lambda _path: before
            changed.head_loader = lambda _path: after

        await asyncio.gather(*(load(c) for c in wanted[:MAX_CONTENT_FILES]))
        skipped = wanted[MAX_CONTENT_FILES:]
        if not skipped:
            return []
        shown = ", ".join(f"`{c.path}`" for c in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        return [
            f"{len(skipped)} files were judged by their diff alone, over the limit of "
            f"{MAX_CONTENT_FILES} whole files read per evaluation: {shown}{more}."
        ]

    async def _decide(
        self,
        job: Job,
        config: Config,
        pull: PullInfo,
        files: list[ChangedFile],
        reviews: list[Review],
        graph_findings: list[Finding] | None = None,
    ) -> Decision:
        findings = run_detectors(files, config.detectors.by_name())
        if graph_findings is not None:
            findings = _replaced_by_graph(findings, graph_findings)
        facts = PullFacts(
            author=pull.author,
            labels=pull.labels,
            base_branch=pull.base_ref,
            body=pull.body,
            head_sha=pull.head_sha,
            draft=pull.draft,
            reviews=tuple(reviews),
        )
        first = evaluate(config, files, findings, facts)
        required = [config.roles[r.key] for r in first.required]
        teams = await self._teams(job, required)
        changed = await self._changed_since(job, config, pull, reviews)
        facts = replace(facts, team_members=teams, changed_since=changed)
        return evaluate(config, files, findings, facts)

    async def _teams(self, job: Job, roles: list[Role]) -> dict[str, frozenset[str]]:
        wanted = sorted({team for role in roles for team in role.reviewers.teams})
        members: dict[str, frozenset[str]] = {}
        for team in wanted:
            org, slug = team.split("/", 1) if "/" in team else (job.owner, team)
            found = await self.gateway.team_members(job.installation_id, org, slug)
            if found is not None:
                members[team] = found
        return members

    async def _changed_since(
        self, job: Job, config: Config, pull: PullInfo, reviews: list[Review]
    ) -> dict[str, frozenset[str] | None]:
        if config.options.stale_approvals != "relevant":
            return {}
        commits = {
            r.commit_id
            for r in reviews
            if r.state == ReviewState.APPROVED and r.commit_id and r.commit_id != pull.head_sha
        }
        out: dict[str, frozenset[str] | None] = {}
        for sha in sorted(commits):
            out[sha] = await self.gateway.changed_since(
                job.installation_id, job.owner, job.repo, sha, pull.head_sha
            )
        return out

    async def _request_reviews(
        self,
        job: Job,
        config: Config,
        pull: PullInfo,
        decision: Decision,
        reviews: list[Review],
    ) -> tuple[list[str], list[str]]:
        """Ask the teams and people of roles still waiting, skipping the author, anyone
        already asked or who already reviewed, and whoever a human removed."""
        if not config.options.request_reviews or (pull.draft and config.options.skip_drafts):
            return [], []
        assert job.number is not None
        removed = await self.journal.removed_reviewers(f"{job.owner}/{job.repo}", job.number)
        reviewed = {r.user.lower() for r in reviews}
        author = pull.author.lower()
        users: set[str] = set()
        teams: set[str] = set()
        for role in decision.required:
            if role.state not in (RoleState.WAITING, RoleState.BLOCKED):
                continue
            for user in role.users:
                login = user.lower()
                if login not in {author} | reviewed | pull.requested_users | removed:
                    users.add(user)
            for team in role.teams:
                org, slug = team.split("/", 1) if "/" in team else (job.owner, team)
                if org.lower() != job.owner.lower():
                    continue  # GitHub can only request teams of the repository's org
                if (
                    slug.lower() not in pull.requested_teams
                    and f"team:{slug.lower()}" not in removed
                ):
                    teams.add(slug)
        if not users and not teams:
            return [], []
        refused = await self.gateway.request_reviewers(
            job.installation_id, job.owner, job.repo, job.number, users, teams
        )
        asked = sorted(f"@{u}" for u in users) + sorted(f"team {t}" for t in teams)
        return (asked, [refused]) if refused else (asked, [])

    # --- merge queue and config pushes ---------------------------------------------------

    async def merge_group(self, job: Job) -> Outcome:
        """Merge queues wait for our check on the merge commit. Every PR in the group
        passed this check to get in, so the group gets a green check that says so."""
        calls = counting_calls()
        assert job.sha is not None
        content = CheckRunContent(
            "completed",
            "success",
            "Release roles approved each pull request in this merge group",
            "Every pull request entered the merge queue with this check passing "
            f"on {job.ref}; the merge group commit is the combination of approved changes.",
        )
        name = DEFAULT_CHECK_NAME
        text = await self.gateway.file_text(
            job.installation_id, job.owner, job.repo, CONFIG_PATH, job.sha
        )
        if text is not None:
            try:
                name = (await self._load(job, text, CONFIG_PATH)).config.options.check_name
            except ConfigError as error:
                content = checkrun.config_error(error.issues, f"on {job.ref}")
        await self._upsert(job, job.sha, name, content)
        return Outcome(job, content.conclusion or "", content.title, sum(calls.values()))

    async def config_changed(self, job: Job) -> None:
        """The config on a branch changed: queue every open PR that targets it."""
        assert job.ref is not None
        numbers = await self.gateway.open_pulls(job.installation_id, job.owner, job.repo, job.ref)
        await self.journal.enqueue(
            [Job(JobKind.PULL, job.owner, job.repo, job.installation_id, number=n) for n in numbers]
        )

    # --- the check run -------------------------------------------------------------------

    async def _upsert(self, job: Job, sha: str, name: str, content: CheckRunContent) -> None:
        """Create the check on this commit, or update it only when what it shows changed.
        Annotations go with the first post for a commit, 50 to a request."""
        repo = f"{job.owner}/{job.repo}"
        known = await self.journal.check_run(repo, sha, name)
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
        batches = [
            list(content.annotations[i : i + ANNOTATION_BATCH])
            for i in range(0, len(content.annotations), ANNOTATION_BATCH)
        ]
        inst = job.installation_id
        if known is None:
            if batches:
                data["output"]["annotations"] = batches[0]
            check_id = await self.gateway.create_check(inst, job.owner, job.repo, data)
            for batch in batches[1:]:
                output = {"title": content.title, "summary": content.summary, "annotations": batch}
                await self.gateway.update_check(
                    inst, job.owner, job.repo, check_id, {"output": output}
                )
        else:
            check_id = known[0]
            del data["head_sha"]
            await self.gateway.update_check(inst, job.owner, job.repo, check_id, data)
        await self.journal.save_check_run(repo, sha, name, check_id, digest)


class _NeedsFetchError(Exception):
    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def _lookup(fetched: dict[str, tuple[str, str] | str], value: str) -> tuple[str, str]:
    """The resolver handed to the pure loader: answers from what was fetched, or asks
    the caller to fetch first (the loader itself never does I/O)."""
    if value not in fetched:
        raise _NeedsFetchError(value)
    found = fetched[value]
    if isinstance(found, str):
        raise ExtendsError(found)
    return found


def _cancel(*tasks: asyncio.Task[Any]) -> None:
    for task in tasks:
        task.cancel()


def _with_notes(decision: Decision, notes: list[str]) -> Decision:
    return replace(decision, notes=(*decision.notes, *notes))


def _replaced_by_graph(ours: list[Finding], graph_findings: list[Finding]) -> list[Finding]:
    """GitHub's graph replaces our comparison where it covers the same packages: the
    same (directory, ecosystem), so a lockfile beside a manifest the graph names (or
    the reverse) is not reported twice."""

    def where(f: Finding) -> tuple[str, str | None]:
        return (f.file or "").rpartition("/")[0], f.ecosystem

    covered = {where(f) for f in graph_findings}
    kept = [f for f in ours if not (f.kind == Kind.DEPENDENCY and where(f) in covered)]
    return kept + graph_findings


async def _nothing() -> None:
    return None
