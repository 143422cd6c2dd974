"""Webhook payloads to jobs. Pure: reads the payload, returns what to queue.

Every event that can change a decision reduces to "evaluate this pull request
again from fresh data" (kodiak's lesson): payloads are not trusted for state,
only for which PR to look at. Only the fields used here are read.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.jobs.model import Job, JobKind, OverrideCommand, TickEdit
from app.policy.config import CONFIG_PATH
from app.report.comment import MARKER
from app.report.messages import OVERRIDE_COMMAND, RECHECK_COMMAND
from app.report.ticks import ticked

PULL_ACTIONS = frozenset(
    {
        "opened",
        "reopened",
        "synchronize",
        "ready_for_review",
        "converted_to_draft",
        "edited",
        "labeled",
        "unlabeled",
    }
)
REVIEW_ACTIONS = frozenset({"submitted", "edited", "dismissed"})
_SHA = re.compile(r"[0-9a-f]{40}")
# Lenient on purpose (Enterprise managed users have `_shortcode` logins): what matters
# is that no NUL, slash or control character reaches a URL.
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}(?:\[bot\])?")
_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
_REF = re.compile(r"[^\x00-\x20\x7f~^:?*\[\\]{1,255}")


@dataclass(frozen=True, slots=True)
class Routed:
    jobs: tuple[Job, ...] = ()
    # (owner/repo, number, "login" or "team:slug") a human removed from the requests.
    removed_reviewer: tuple[str, int, str] | None = None
    override: OverrideCommand | None = None
    ticks: TickEdit | None = None  # kept only if the comment is our release plan
    retargeted: tuple[str, int] | None = None  # (owner/repo, number): a new base branch
    # (owner/repo, head sha, app, conclusion, when): another check finished, for the board
    suite: tuple[str, str, str, str, str] | None = None
    note: str = ""
    log: Mapping[str, Any] = field(default_factory=dict)


class BadDeliveryError(ValueError):
    """A field this event is routed on is missing or not of GitHub's type: the delivery
    is refused (400 with this reason) rather than queued as a job that cannot run."""


class _NoInstallationError(Exception):
    """Not sent to an installation of ours (an App's own hook, a test delivery)."""


def route(event: str, payload: Mapping[str, Any], app_id: int) -> Routed:
    """What to do about one delivery; `note` says why when nothing is queued."""
    handler = _HANDLERS.get(event)
    if handler is None:
        return Routed(note=f"event {event!r} is not used")
    try:
        routed = handler(payload, app_id)
        for job in routed.jobs:
            check_job(job)
    except _NoInstallationError:
        return Routed(note="payload has no installation: nothing to evaluate")
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
        raise BadDeliveryError(f"{event} payload: {_what(error)}") from None
    return routed


def check_job(job: Job) -> None:
    """Every field a job carries, as GitHub spells it: the worker builds URLs of them."""
    texts = [job.owner, job.repo, job.sha, job.ref, job.base_sha, job.head_ref]
    if not all(text is None or isinstance(text, str) for text in texts):
        raise BadDeliveryError("a name, sha or branch is not a string")
    if not _LOGIN.fullmatch(job.owner):
        raise BadDeliveryError(f"{job.owner[:60]!r} is not a GitHub account name")
    if job.repo and not _REPO.fullmatch(job.repo):
        raise BadDeliveryError(f"{job.repo[:60]!r} is not a repository name")
    if not 0 < job.installation_id < 2**63:
        raise BadDeliveryError(f"installation id {job.installation_id} is out of range")
    if job.number is not None and not 0 < job.number < 2**31:
        raise BadDeliveryError(f"pull request number {job.number} is out of range")
    for sha in (job.sha, job.base_sha):
        if sha is not None and not _SHA.fullmatch(sha):
            raise BadDeliveryError("a commit sha is not 40 hex digits")
    for ref in (job.ref, job.head_ref):
        if ref is not None and not _REF.fullmatch(ref):
            raise BadDeliveryError(f"{ref[:60]!r} is not a branch name")


def _what(error: Exception) -> str:
    if isinstance(error, BadDeliveryError):
        return str(error)
    if isinstance(error, KeyError):
        return f"{error.args[0]!r} is missing"
    return f"{type(error).__name__}: {str(error)[:200]}"


def _installation(payload: Mapping[str, Any]) -> int:
    installation = payload.get("installation")
    if not installation or "id" not in installation:
        raise _NoInstallationError
    return _int(installation["id"])


def _int(value: object) -> int:
    """A JSON integer as GitHub sends ids and numbers (not a bool, a float or a string)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _repo(payload: Mapping[str, Any]) -> tuple[str, str]:
    repository = payload["repository"]
    return repository["owner"]["login"], repository["name"]


def _pull_job(payload: Mapping[str, Any], number: int) -> Job:
    """Evaluate PR `number`; the head the event names rides along, so a failing check
    can still be posted on it when GitHub will not say what the head is."""
    owner, repo = _repo(payload)
    head = ((payload.get("pull_request") or {}).get("head") or {}).get("sha")
    sha = head if isinstance(head, str) and _SHA.fullmatch(head) else None
    return Job(JobKind.PULL, owner, repo, _installation(payload), number=number, sha=sha)


def _pull_request(payload: Mapping[str, Any], app_id: int) -> Routed:
    action = payload["action"]
    number = _int(payload["pull_request"]["number"])
    if action == "review_request_removed":
        owner, repo = _repo(payload)
        if payload.get("requested_team"):
            who = "team:" + payload["requested_team"]["slug"]
        else:
            who = payload["requested_reviewer"]["login"]
        return Routed(removed_reviewer=(f"{owner}/{repo}", number, who), note="remembered")
    if action not in PULL_ACTIONS:
        return Routed(note=f"pull_request.{action} does not change the decision")
    job = _pull_job(payload, number)
    if action == "edited" and (payload.get("changes") or {}).get("base"):
        return Routed(jobs=(job,), retargeted=(f"{job.owner}/{job.repo}", number))
    return Routed(jobs=(job,))


def _review(payload: Mapping[str, Any], app_id: int) -> Routed:
    if payload["action"] not in REVIEW_ACTIONS:
        return Routed(note=f"pull_request_review.{payload['action']} is not used")
    return Routed(jobs=(_pull_job(payload, _int(payload["pull_request"]["number"])),))


def _ours(app: Mapping[str, Any] | None, app_id: int) -> bool:
    return bool(app) and int(app.get("id", 0)) == app_id  # type: ignore[union-attr]


def _pull_requests_of(payload: Mapping[str, Any], source: Mapping[str, Any]) -> Routed:
    owner, repo = _repo(payload)
    installation = _installation(payload)
    base_repo_id = _int(payload["repository"]["id"])
    jobs = tuple(
        Job(JobKind.PULL, owner, repo, installation, number=_int(pr["number"]))
        for pr in source.get("pull_requests", [])
        # Forks' PRs also appear here; only this repository's PRs are ours to check.
        if pr.get("base", {}).get("repo", {}).get("id", base_repo_id) == base_repo_id
    )
    return Routed(jobs=jobs, note="" if jobs else "no pull request attached")


def _check_run(payload: Mapping[str, Any], app_id: int) -> Routed:
    run = payload["check_run"]
    if payload["action"] != "rerequested":
        return Routed(note=f"check_run.{payload['action']} is not used")
    if not _ours(run.get("app"), app_id):
        return Routed(note="another app's check run")
    return _pull_requests_of(payload, run)


def _check_suite(payload: Mapping[str, Any], app_id: int) -> Routed:
    suite = payload["check_suite"]
    if payload["action"] == "completed":
        return _suite_completed(payload, suite)
    if payload["action"] != "rerequested":
        return Routed(note=f"check_suite.{payload['action']} is not used")
    if not _ours(suite.get("app"), app_id):
        return Routed(note="another app's check suite")
    return _pull_requests_of(payload, suite)


def _suite_completed(payload: Mapping[str, Any], suite: Mapping[str, Any]) -> Routed:
    """Another app's checks finished on a commit: kept for the board's "ready" (all
    checks green), nothing to evaluate."""
    owner, repo = _repo(payload)
    if not _LOGIN.fullmatch(str(owner)) or not _REPO.fullmatch(str(repo)):
        raise ValueError("repository is not named as GitHub names one")
    sha = suite["head_sha"]
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise ValueError("check_suite.head_sha is not a commit sha")
    app = suite.get("app") or {}
    name = str(app.get("slug") or app.get("name") or "unknown")[:100]
    conclusion = str(suite.get("conclusion") or "")[:40]
    when = str(suite.get("updated_at") or "")[:40]
    return Routed(suite=(f"{owner}/{repo}", sha, name, conclusion, when), note="checks kept")


def _status(payload: Mapping[str, Any], app_id: int) -> Routed:
    """A commit status (CI that posts statuses, not checks): kept for the board like a
    check suite, under `status:<context>`; pending counts until it settles."""
    owner, repo = _repo(payload)
    if not _LOGIN.fullmatch(str(owner)) or not _REPO.fullmatch(str(repo)):
        raise ValueError("repository is not named as GitHub names one")
    sha = payload["sha"]
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise ValueError("sha is not a commit sha")
    context = f"status:{str(payload.get('context') or 'default')[:100]}"
    state = str(payload.get("state") or "")[:40]
    when = str(payload.get("updated_at") or "")[:40]
    return Routed(suite=(f"{owner}/{repo}", sha, context, state, when), note="status kept")


def _merge_group(payload: Mapping[str, Any], app_id: int) -> Routed:
    if payload["action"] != "checks_requested":
        return Routed(note=f"merge_group.{payload['action']} is not used")
    group = payload["merge_group"]
    owner, repo = _repo(payload)
    base = str(group["base_ref"]).removeprefix("refs/heads/")
    job = Job(
        JobKind.MERGE_GROUP,
        owner,
        repo,
        _installation(payload),
        sha=group["head_sha"],
        ref=base,
        base_sha=group["base_sha"],
        head_ref=str(group["head_ref"]).removeprefix("refs/heads/"),
    )
    return Routed(jobs=(job,))


def _push(payload: Mapping[str, Any], app_id: int) -> Routed:
    ref = str(payload["ref"])
    if not ref.startswith("refs/heads/"):
        return Routed(note="not a branch push")
    touched = {
        path
        for commit in payload.get("commits") or []
        for key in ("added", "modified", "removed")
        for path in commit.get(key) or []
    }
    if CONFIG_PATH not in touched:
        return Routed(note=f"push does not change {CONFIG_PATH}")
    owner, repo = _repo(payload)
    branch = ref.removeprefix("refs/heads/")
    installation = _installation(payload)
    jobs = [Job(JobKind.CONFIG_CHANGED, owner, repo, installation, ref=branch)]
    if branch == payload["repository"].get("default_branch"):
        # `extends: owner/repo` reads this very file: the configs built on it changed
        jobs.append(Job(JobKind.EXTENDS_CHANGED, owner, repo, installation))
    return Routed(jobs=tuple(jobs))


def _teams(payload: Mapping[str, Any], app_id: int) -> Routed:
    org = payload["organization"]["login"]
    job = Job(JobKind.TEAMS_CHANGED, org, "", _installation(payload))
    return Routed(jobs=(job,))


def _issue_comment(payload: Mapping[str, Any], app_id: int) -> Routed:
    issue = payload["issue"]
    body = (payload.get("comment") or {}).get("body") or ""
    if payload["action"] == "edited" and issue.get("pull_request"):
        return _comment_edited(payload, _pull_job(payload, _int(issue["number"])), body)
    if payload["action"] != "created" or not issue.get("pull_request"):
        return Routed(note="not a new comment on a pull request")
    command = body.strip().split("\n", 1)[0]
    job = _pull_job(payload, _int(issue["number"]))
    if command.startswith(OVERRIDE_COMMAND):
        by = str(payload["comment"]["user"]["login"])
        override = parse_override(command, f"{job.owner}/{job.repo}", _int(issue["number"]), by)
        if isinstance(override, str):
            return Routed(note=override)
        return Routed(jobs=(job,), override=override, note=f"override of {override.role}")
    if not command.startswith(RECHECK_COMMAND):
        return Routed(note="no command")
    return Routed(jobs=(job,))


def _comment_edited(payload: Mapping[str, Any], job: Job, body: str) -> Routed:
    """Boxes of the release plan ticked or cleared, and by whom. The App's own edits
    (it rewrites the plan) are not anyone's tick."""
    sender = payload["sender"]
    if not isinstance(body, str) or MARKER not in body:
        return Routed(note="an edited comment that is not the release plan")
    if sender.get("type") == "Bot":
        return Routed(note="the release plan edited by an app")
    before = ((payload.get("changes") or {}).get("body") or {}).get("from")
    if not isinstance(before, str):
        return Routed(note="an edit that does not say what the comment said before")
    old, new = ticked(before), ticked(body)
    if old == new:
        return Routed(note="no checklist box changed")
    login = str(sender["login"])
    if not _LOGIN.fullmatch(login):
        raise BadDeliveryError(f"{login[:60]!r} is not a GitHub login")
    assert job.number is not None
    repo, comment_id = f"{job.owner}/{job.repo}", _int(payload["comment"]["id"])
    edit = TickEdit(repo, job.number, comment_id, login, new - old, old - new)
    return Routed(jobs=(job,), ticks=edit, note="checklist boxes changed")


def parse_override(command: str, repo: str, number: int, by: str) -> OverrideCommand | str:
    """`/release-roles override <role> --reason "..."` or `... override --revoke <role>`;
    a string says why the command could not be read."""
    try:
        words = shlex.split(command)[2:]
    except ValueError as error:
        return f"could not read the override command: {error}"
    revoke = "--revoke" in words
    words = [w for w in words if w != "--revoke"]
    reason = ""
    if "--reason" in words:
        at = words.index("--reason")
        reason = " ".join(words[at + 1 :])
        words = words[:at]
    if len(words) != 1:
        return 'usage: /release-roles override <role> --reason "why" (or --revoke <role>)'
    return OverrideCommand(repo, number, words[0].lower(), by, reason[:500], revoke)


def _log_only(payload: Mapping[str, Any], app_id: int) -> Routed:
    account = (payload.get("installation") or {}).get("account") or {}
    return Routed(
        note="installation change logged",
        log={"installation_action": payload.get("action"), "account": account.get("login")},
    )


_HANDLERS = {
    "pull_request": _pull_request,
    "pull_request_review": _review,
    "check_run": _check_run,
    "check_suite": _check_suite,
    "status": _status,
    "merge_group": _merge_group,
    "push": _push,
    "membership": _teams,
    "team": _teams,
    "issue_comment": _issue_comment,
    "installation": _log_only,
    "installation_repositories": _log_only,
}
