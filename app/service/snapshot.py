"""The read phase of one evaluation: everything it needs from GitHub and the journal,
gathered before anything is decided or written.

Two steps, because whom to look up depends on the diff: `read_pull` gathers the PR,
its files and reviews, the base config, the dependency graph and whole files; once
the core knows which roles the change requires, `read_review_facts` gathers those roles'
team members, what changed since each approval, and the reviewers a human removed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from app.detect.base import ChangedFile, Finding
from app.github.gateway import Commit, Gateway, PullInfo
from app.jobs.model import Job
from app.jobs.store import Journal
from app.policy.config import CONFIG_PATH, Config, Role
from app.policy.contributors import GITHUB, Contribution, contributors, last_pusher
from app.policy.facts import Override, Review, ReviewState, Tick
from app.policy.loading import ConfigError, ConfigIssue
from app.service import contents
from app.service.configs import Configs


@dataclass(frozen=True, slots=True)
class Closed:
    """The PR is closed or merged: nothing to evaluate."""

    state: str


@dataclass(frozen=True, slots=True)
class InvalidConfig:
    """The config cannot be used: the check says why, and where."""

    pull: PullInfo
    issues: tuple[ConfigIssue, ...]
    where: str
    check_name: str | None  # None: the base config is the invalid one, its name unknown


@dataclass(slots=True)
class PullSnapshot:
    pull: PullInfo
    files: list[ChangedFile]
    reviews: list[Review]
    config: Config
    graph: list[Finding] | None  # GitHub's dependency comparison; None: ours
    notes: list[str] = field(default_factory=list)  # about what could not be read whole
    extends: tuple[str, ...] = ()  # owner/repo of each config this one extends


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    team_members: dict[str, frozenset[str]]
    changed_since: dict[str, frozenset[str] | None]
    removed: frozenset[str]
    contributors: frozenset[str] | None = None
    last_pusher: str | None = None
    overrides: tuple[Override, ...] = ()
    label_actors: dict[str, str] | None = None
    retargeted_at: float | None = None
    asked_before: dict[str, int] = field(default_factory=dict)
    head_committed_at: float | None = None
    now: float = 0.0  # when these facts were read
    notified: frozenset[tuple[str, str]] = frozenset()
    checklist_ticks: tuple[Tick, ...] | None = None  # None: ticked in the PR body


async def read_pull(
    gateway: Gateway, configs: Configs, job: Job
) -> PullSnapshot | Closed | InvalidConfig:
    assert job.number is not None
    inst, owner, repo = job.installation_id, job.owner, job.repo
    pull = await gateway.pull(inst, owner, repo, job.number)
    if pull.state != "open":
        return Closed("merged" if pull.merged else pull.state)
    shas = (pull.head_sha, pull.base_sha)
    files_task = asyncio.create_task(gateway.files(inst, owner, repo, pull.number, shas))
    reviews_task = asyncio.create_task(gateway.reviews(inst, owner, repo, pull.number))
    try:
        loaded = await configs.at_base(job, pull.base_sha)
        config = loaded.config
        files, reviews = await files_task, await reviews_task
    except ConfigError as error:
        _cancel(files_task, reviews_task)
        return InvalidConfig(pull, tuple(error.issues), f"on {pull.base_ref}", None)
    except BaseException:
        _cancel(files_task, reviews_task)
        raise
    if any(f.path == CONFIG_PATH for f in files):
        issues = await configs.problems_in_change(job, pull.head_sha)
        if issues:
            name = config.options.check_name
            return InvalidConfig(pull, tuple(issues), "in this pull request", name)
    graph = await contents.dependency_graph(gateway, job, config, pull, files)
    notes = await contents.load_whole_files(
        gateway, job, config, pull, files, graph_covered=graph is not None
    )
    await contents.load_migration_context(gateway, job, config, pull, files)
    extends = tuple(source.split(":", 1)[0] for source in loaded.sources[1:])
    return PullSnapshot(pull, files, reviews, config, graph, notes, extends)


async def read_review_facts(
    gateway: Gateway, journal: Journal, job: Job, snapshot: PullSnapshot, required: list[Role]
) -> ReviewFacts:
    assert job.number is not None
    records = await journal.pull_records(f"{job.owner}/{job.repo}", job.number, job.owner)
    overrides = tuple(Override(o.role, o.by, o.reason, o.at) for o in records.overrides)
    actors = await _label_actors(gateway, job, snapshot)
    judging = bool(overrides) or bool(actors)
    rules = snapshot.config.overrides
    waivers = rules.by.teams if judging and rules is not None else []
    team_lists = [*(r.reviewers.teams for r in required), waivers]
    teams = await _teams(gateway, journal, job, team_lists, records.org_version)
    changed = await _changed_since(gateway, job, snapshot)
    options, pull = snapshot.config.options, snapshot.pull
    asking = options.request_reviews and not (pull.draft and options.skip_drafts)
    removed = records.removed if asking else frozenset()
    waits_for_stable = any(r.request_when and r.request_when.stable_for for r in required)
    commits = await _commits(gateway, job, snapshot, judging or waits_for_stable)
    made = _contributions(commits) if commits is not None else None
    return ReviewFacts(
        team_members=teams,
        changed_since=changed,
        removed=removed,
        contributors=contributors(made) if made is not None else None,
        last_pusher=last_pusher(made) if made is not None else None,
        head_committed_at=commits[-1].committed_at if commits else None,
        now=time.time(),
        overrides=overrides,
        label_actors=actors,
        retargeted_at=records.retargeted_at,
        asked_before=records.requested,
        notified=records.notified,
        # with the plan comment, its boxes are where the checklist is ticked
        checklist_ticks=tuple(Tick(*tick) for tick in records.ticks)
        if options.summary_comment
        else None,
    )


async def _label_actors(
    gateway: Gateway, job: Job, snapshot: PullSnapshot
) -> dict[str, str] | None:
    """Who set the labels that could waive a role, read only when one is set."""
    waiving = {
        label.lower()
        for role in snapshot.config.roles.values()
        for condition in role.unless
        for label in condition.labels or ()
    }
    if not waiving & {label.lower() for label in snapshot.pull.labels}:
        return None
    assert job.number is not None
    return await gateway.label_actors(job.installation_id, job.owner, job.repo, job.number)


async def _commits(
    gateway: Gateway, job: Job, snapshot: PullSnapshot, needed: bool
) -> list[Commit] | None:
    """The PR's commits, read only when someone other than the author has approved, a
    waiver is to be judged, or a role waits for stable code (otherwise: no call)."""
    author = snapshot.pull.author.lower()
    if not needed and not any(
        r.state == ReviewState.APPROVED and r.user.lower() != author for r in snapshot.reviews
    ):
        return None
    assert job.number is not None
    return await gateway.pull_commits(job.installation_id, job.owner, job.repo, job.number)


def _contributions(commits: list[Commit]) -> list[Contribution]:
    return [
        Contribution(
            c.author,
            c.committer,
            merge_by_github=c.parents > 1 and c.committer == GITHUB and c.verified,
        )
        for c in commits
    ]


async def _teams(
    gateway: Gateway,
    journal: Journal,
    job: Job,
    team_lists: list[list[str]],
    own_org_version: int,
) -> dict[str, frozenset[str]]:
    wanted = sorted({team for teams in team_lists for team in teams})
    members: dict[str, frozenset[str]] = {}
    versions: dict[str, int] = {job.owner.lower(): own_org_version}
    for team in wanted:
        org, slug = team.split("/", 1) if "/" in team else (job.owner, team)
        if org.lower() not in versions:  # another org's team: its own version
            versions[org.lower()] = await journal.org_version(org)
        found = await gateway.team_members(job.installation_id, org, slug, versions[org.lower()])
        if found is not None:
            members[team] = found
    return members


async def _changed_since(
    gateway: Gateway, job: Job, snapshot: PullSnapshot
) -> dict[str, frozenset[str] | None]:
    config = snapshot.config
    modes = {
        role.stale_approvals or config.options.stale_approvals for role in config.roles.values()
    }
    if "relevant" not in modes:
        return {}
    head = snapshot.pull.head_sha
    commits = {
        r.commit_id
        for r in snapshot.reviews
        if r.state == ReviewState.APPROVED and r.commit_id and r.commit_id != head
    }
    out: dict[str, frozenset[str] | None] = {}
    where = (job.installation_id, job.owner, job.repo)
    for sha in sorted(commits):
        changed = await gateway.changed_since(*where, sha, head)
        if changed is None:  # rebased, or back to an earlier commit: compare the trees,
            # so a rebase that left the role's files as they were keeps its approvals
            changed = await gateway.tree_changes(*where, sha, head)
        out[sha] = changed
    return out


def _cancel(*tasks: asyncio.Task[Any]) -> None:
    for task in tasks:
        task.cancel()
