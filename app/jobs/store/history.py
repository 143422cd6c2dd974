"""What the pages read, kept in the journal's database: each pull request's latest
evaluation, the evaluations that changed its verdict, how long each role was waited
on, and the login sessions. Pages read only this, never GitHub, so a view costs no
API call and the history survives restarts; the worker's prune forgets it after the
records' 90 days like the rest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from app.jobs.store import schema


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One evaluation as the pages need it (built by service/history.py)."""

    repo: str  # owner/name as GitHub spells it
    number: int
    record: dict[str, Any]  # the pull request and its verdict, as JSON
    pending: tuple[str, ...] = ()  # required roles not approved yet
    approved: tuple[str, ...] = ()  # required roles their reviewers approved
    dropped: tuple[str, ...] = ()  # roles no longer waited on without an approval


@dataclass(frozen=True, slots=True)
class StoredPull:
    repo: str  # lower-case owner/name
    number: int
    record: dict[str, Any]
    saved_at: float
    state: str = "open"


@dataclass(frozen=True, slots=True)
class Wait:
    """A role asked of a pull request, and when its approval came (None: still waiting)."""

    repo: str
    number: int
    role: str
    release: str  # the milestone, else the branch the PR targets
    requested_at: float
    approved_at: float | None


@dataclass(frozen=True, slots=True)
class Session:
    login: str
    token: str  # encrypted by the web layer; opaque here
    expires_at: float


Statements = list[tuple[str, Sequence[Any]]]


class HistoryStore(Protocol):
    async def save_evaluation(self, evaluation: Evaluation, at: float | None = None) -> None:
        """Keep what the pages show of this evaluation."""
        ...

    async def close_pull(self, repo: str, number: int, state: str) -> None: ...
    async def open_pulls(self, owner: str, repo: str | None = None) -> list[StoredPull]: ...
    async def pull(self, repo: str, number: int) -> StoredPull | None: ...
    async def evaluations(self, repo: str, number: int) -> list[tuple[float, dict[str, Any]]]: ...
    async def waits(self, owner: str, since: float, repo: str | None = None) -> list[Wait]: ...
    async def pull_waits(self, repo: str, number: int) -> list[Wait]: ...
    async def save_session(self, session_id: str, session: Session) -> None: ...
    async def save_suite(
        self, repo: str, sha: str, app: str, conclusion: str, updated: str
    ) -> None: ...
    async def suites(
        self, owner: str, heads: Sequence[str]
    ) -> dict[tuple[str, str], dict[str, str]]: ...
    async def session(self, session_id: str) -> Session | None: ...
    async def drop_session(self, session_id: str) -> None: ...


class PullHistory:
    """Mixed into the SQL journal, which provides `_run` (journal.py says what it does)."""

    _run: Callable[..., Awaitable[list[Any]]]

    async def save_evaluation(self, evaluation: Evaluation, at: float | None = None) -> None:
        at = time.time() if at is None else at
        repo, number = evaluation.repo.lower(), evaluation.number
        text = orjson.dumps(evaluation.record, option=orjson.OPT_SORT_KEYS).decode()
        digest = hashlib.sha256(_verdict(evaluation.record)).hexdigest()
        owner = repo.split("/", 1)[0]
        release = evaluation.record.get("milestone") or evaluation.record.get("base_ref") or ""
        statements: Statements = [
            (schema.SAVE_EVALUATION, (repo, number, at, text, repo, number, digest)),
            (schema.SAVE_PULL, (repo, number, owner, text, digest, at)),
        ]
        for role in evaluation.pending:
            values = (repo, number, owner, role, release, at, repo, number, role)
            statements.append((schema.START_WAIT, values))
        statements += [(schema.END_WAIT, (at, repo, number, r)) for r in evaluation.approved]
        statements += [(schema.DROP_WAIT, (repo, number, r)) for r in evaluation.dropped]
        await self._run(statements)

    async def close_pull(self, repo: str, number: int, state: str) -> None:
        """The pull request was closed or merged: off the board, its waits unmeasured."""
        key = (repo.lower(), number)
        await self._run(
            [
                (schema.CLOSE_PULL, (state, time.time(), *key)),
                (schema.DROP_OPEN_WAITS, key),
            ]
        )

    async def open_pulls(self, owner: str, repo: str | None = None) -> list[StoredPull]:
        """The owner's open PRs, or one repository's (owner/name)."""
        query = (
            (schema.OPEN_PULLS, (owner.lower(),))
            if repo is None
            else (schema.REPO_OPEN_PULLS, (owner.lower(), repo.lower()))
        )
        [rows] = await self._run([query], fetch_all=True)
        return [StoredPull(str(r[0]), int(r[1]), orjson.loads(r[2]), float(r[3])) for r in rows]

    async def pull(self, repo: str, number: int) -> StoredPull | None:
        [row] = await self._run([(schema.PULL, (repo.lower(), number))], fetch=True)
        if row is None:
            return None
        return StoredPull(repo.lower(), number, orjson.loads(row[0]), float(row[2]), str(row[1]))

    async def evaluations(self, repo: str, number: int) -> list[tuple[float, dict[str, Any]]]:
        """The PR's evaluations whose verdict changed, newest first (the last 50)."""
        [rows] = await self._run([(schema.EVALUATIONS, (repo.lower(), number))], fetch_all=True)
        return [(float(r[0]), orjson.loads(r[1])) for r in rows]

    async def waits(self, owner: str, since: float, repo: str | None = None) -> list[Wait]:
        """The owner's (or one repository's) open waits, and those approved since `since`."""
        query = (
            (schema.WAITS, (owner.lower(), since))
            if repo is None
            else (schema.REPO_WAITS, (owner.lower(), since, repo.lower()))
        )
        [rows] = await self._run([query], fetch_all=True)
        return [_wait(r) for r in rows]

    async def pull_waits(self, repo: str, number: int) -> list[Wait]:
        key = (repo.lower(), number)
        [rows] = await self._run([(schema.PULL_WAITS, key)], fetch_all=True)
        return [_wait((*key, *r)) for r in rows]

    async def save_suite(
        self, repo: str, sha: str, app: str, conclusion: str, updated: str
    ) -> None:
        """Another app's check suite finished on a commit (the board's "checks")."""
        owner = repo.lower().split("/", 1)[0]
        values = (repo.lower(), sha, app, owner, conclusion, updated, time.time())
        await self._run([(schema.SAVE_SUITE, values)])

    async def suites(
        self, owner: str, heads: Sequence[str]
    ) -> dict[tuple[str, str], dict[str, str]]:
        """(repo, head sha) -> {app: conclusion} of the suites recorded on these commits."""
        found: dict[tuple[str, str], dict[str, str]] = {}
        unique = sorted(set(heads))
        for start in range(0, len(unique), 500):  # bounded statements, whatever the board
            chunk = unique[start : start + 500]
            sql = schema.SUITES.format(heads=", ".join("?" * len(chunk)))
            [rows] = await self._run([(sql, (owner.lower(), *chunk))], fetch_all=True)
            for repo, sha, app, conclusion in rows:
                found.setdefault((str(repo), str(sha)), {})[str(app)] = str(conclusion)
        return found

    async def save_session(self, session_id: str, session: Session) -> None:
        values = (session_id, session.login, session.token, session.expires_at)
        await self._run([(schema.SAVE_SESSION, values)])

    async def session(self, session_id: str) -> Session | None:
        [row] = await self._run([(schema.SESSION, (session_id, time.time()))], fetch=True)
        return Session(str(row[0]), str(row[1]), float(row[2])) if row else None

    async def drop_session(self, session_id: str) -> None:
        await self._run([(schema.DROP_SESSION, (session_id,))])


def prune_statements(records_older_than: float, now: float) -> Statements:
    return [
        (schema.PRUNE_EVALUATIONS, (records_older_than,)),
        (schema.PRUNE_PULLS, (records_older_than,)),
        (schema.PRUNE_WAITS, (records_older_than,)),
        (schema.PRUNE_SESSIONS, (now,)),
        (schema.PRUNE_SUITES, (records_older_than,)),
    ]


def _verdict(record: dict[str, Any]) -> bytes:
    """What makes an evaluation worth a line of history: the commits and the verdict,
    not the title or the labels' order."""
    decision = record.get("decision") or {}
    roles = [(r["name"], r["state"], r["approved_by"]) for r in decision.get("roles", [])]
    seen = (record.get("head_sha"), record.get("conclusion"), record.get("summary"), roles)
    return orjson.dumps(seen)


def _wait(row: Sequence[Any]) -> Wait:
    approved = None if row[5] is None else float(row[5])
    return Wait(str(row[0]), int(row[1]), str(row[2]), str(row[3]), float(row[4]), approved)
