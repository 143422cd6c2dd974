"""What the gateway hands the service: plain records, built here from githubkit's
validated models (the service never sees a githubkit type)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.detect.base import ChangedFile, FileStatus
from app.detect.diff import DiffError, parse_patch


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    message: str
    author: str | None  # GitHub logins; None when git's author is no GitHub user
    committer: str | None
    parents: int = 1
    verified: bool = False  # GitHub checked its signature
    committed_at: float | None = None  # the committer's date (Unix time)


@dataclass(frozen=True, slots=True)
class Changes:
    """What a compare says lies between two commits (three dots: from their merge base)."""

    status: str  # ahead | behind | identical | diverged
    paths: frozenset[str]  # changed files, renames by both names
    commits: tuple[Commit, ...]
    complete: bool  # False past GitHub's caps (300 files, one page of commits)


@dataclass(frozen=True, slots=True)
class PullInfo:
    number: int
    state: str
    draft: bool
    merged: bool
    author: str
    head_sha: str
    base_ref: str
    base_sha: str
    labels: frozenset[str]
    body: str
    requested_users: frozenset[str]
    requested_teams: frozenset[str]
    html_url: str
    title: str = ""
    milestone: str | None = None  # the release it is planned for, on the pages' board


def commit(entry: Any) -> Commit:
    return Commit(
        sha=entry.sha,
        message=entry.commit.message,
        author=entry.author.login if getattr(entry.author, "login", None) else None,
        committer=entry.committer.login if getattr(entry.committer, "login", None) else None,
        parents=len(entry.parents),
        verified=bool(getattr(entry.commit.verification, "verified", False)),
        committed_at=_when(getattr(entry.commit.committer, "date", None)),
    )


def _when(date: Any) -> float | None:
    return date.timestamp() if hasattr(date, "timestamp") else None


def changed_file(entry: Any) -> ChangedFile:
    """One entry of pulls/files as a ChangedFile, its `patch` parsed like a git diff."""
    status = FileStatus(entry.status)
    changed = ChangedFile(
        path=entry.filename,
        status=status,
        previous_path=entry.previous_filename or None,
        additions=entry.additions,
        deletions=entry.deletions,
        blob=entry.sha if isinstance(entry.sha, str) and entry.sha else None,
    )
    patch = entry.patch if isinstance(entry.patch, str) else None
    if patch is None:
        # No patch: a binary file, or a diff GitHub found too large to include.
        changed.patch_missing = entry.additions + entry.deletions > 0
        changed.binary = not changed.patch_missing and status != FileStatus.RENAMED
        return changed
    changed.patch = patch
    try:
        lines = parse_patch(patch)
    except DiffError as error:
        changed.parse_error = str(error)
        return changed
    changed.added, changed.removed = lines.added, lines.removed
    return changed


def pull_info(data: Any) -> PullInfo:
    return PullInfo(
        number=data.number,
        state=data.state,
        draft=bool(data.draft),
        merged=bool(data.merged),
        author=data.user.login if data.user else "",
        head_sha=data.head.sha,
        base_ref=data.base.ref,
        base_sha=data.base.sha,
        labels=frozenset(label.name for label in data.labels),
        body=data.body or "",
        requested_users=frozenset(u.login.lower() for u in data.requested_reviewers or []),
        requested_teams=frozenset(t.slug.lower() for t in data.requested_teams or []),
        html_url=data.html_url,
        title=data.title or "",
        milestone=data.milestone.title if data.milestone else None,
    )
