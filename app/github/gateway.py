"""The only module that talks to GitHub (through githubkit): every read and write.

Installation auth (githubkit caches each installation token until it expires),
pagination, a TTL cache of team membership; retries, the call counter and error
wording are in client.py. Errors leave as GatewayError with a sentence a person
can act on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException, RequestFailed
from githubkit.retry import RetryOption

from app.detect.base import ChangedFile
from app.github.client import (
    PER_PAGE,
    GatewayError,
    SharedTransport,
    TooManyFilesError,
    all_pages,
    answers_checked,
    call,
    count_not_modified,
    count_request,
    retry_policy,
    wrap,
)
from app.github.conditional import Conditional
from app.github.deliveries import Deliveries
from app.github.files import Files
from app.github.immutable import ByCommit
from app.github.records import Changes, Commit, PullInfo, changed_file, commit, pull_info
from app.github.writes import Writes
from app.policy.facts import Review, ReviewState

__all__ = [
    "Changes",
    "Commit",
    "Gateway",
    "GatewayError",
    "PullInfo",
    "TooManyFilesError",
    "retry_policy",
]

_REVIEW_STATES = {state.value: state for state in ReviewState}
MAX_FILES = 3000  # GitHub's pulls/files API returns at most this many
NO_GRAPH_SECONDS = 3600.0  # how long a repository without a dependency graph is believed


class Gateway(Writes, Deliveries, Files):
    def __init__(
        self,
        *,
        app_id: int,
        private_key: str,
        api_url: str = "https://api.github.com",
        transport: httpx.AsyncBaseTransport | None = None,
        retry: Callable[[GitHubException, int], RetryOption] | None = None,
        team_cache_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport or httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20)
        )
        self._github = GitHub(
            AppAuthStrategy(str(app_id), private_key),
            base_url=api_url,
            async_transport=SharedTransport(self._transport),
            http_cache=False,
            auto_retry=retry or retry_policy(),
            timeout=30.0,
            async_event_hooks={"request": [count_request], "response": [count_not_modified]},
            user_agent="release-roles",
            # githubkit's default token cache is one per process; each gateway (and so
            # each App identity and API URL) gets its own.
            cache_strategy=MemCacheStrategy(),
        )
        self._team_ttl = team_cache_seconds
        self._teams: dict[tuple[str, str, int], tuple[float, frozenset[str] | None]] = {}
        self._clock = clock
        self._no_graph: dict[tuple[str, str], float] = {}
        self._by_commit = ByCommit()
        self._conditional = Conditional()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def _client(self, installation_id: int) -> Any:
        # Typed as Any on purpose: githubkit's generated overloads do not check under
        # mypy (it reads some list types as `list?[...]`). Responses are still
        # validated at run time by githubkit's own models.
        return self._github.with_auth(self._github.auth.as_installation(installation_id))

    # --- reads -------------------------------------------------------------------------

    @answers_checked
    async def pull(self, inst: int, owner: str, repo: str, number: int) -> PullInfo:
        gh = self._client(inst)
        pr = await self._conditional.one(
            ("pull", owner.lower(), repo.lower(), number),
            lambda headers: gh.rest.pulls.async_get(owner, repo, number, headers=headers),
            f"pull #{number}",
        )
        return pull_info(pr)

    @answers_checked
    async def files(
        self, inst: int, owner: str, repo: str, number: int, shas: tuple[str, str] | None = None
    ) -> list[ChangedFile]:
        """The pull request's files; with its (head, base) SHAs, read once per pair."""
        key = ("files", owner.lower(), repo.lower(), number, shas)
        cached = self._by_commit.get(key) if shas else None
        if cached is not None:
            return [changed_file(entry) for entry in cached]
        entries = await self._file_entries(inst, owner, repo, number)
        if shas:
            size = sum(len(getattr(e, "patch", None) or "") + 200 for e in entries)
            self._by_commit.put(key, entries, size)
        return [changed_file(entry) for entry in entries]

    async def _file_entries(self, inst: int, owner: str, repo: str, number: int) -> list[Any]:
        gh = self._client(inst)
        entries = await all_pages(
            lambda page: gh.rest.pulls.async_list_files(
                owner, repo, number, per_page=PER_PAGE, page=page
            ),
            f"files of #{number}",
        )
        if len(entries) >= MAX_FILES:
            raise TooManyFilesError(
                f"this pull request changes {MAX_FILES} or more files; GitHub lists only the "
                f"first {MAX_FILES}, so the rest cannot be checked. Split the change."
            )
        return entries

    @answers_checked
    async def reviews(self, inst: int, owner: str, repo: str, number: int) -> list[Review]:
        gh = self._client(inst)
        entries = await self._conditional.pages(
            ("reviews", owner.lower(), repo.lower(), number),
            lambda page, headers: gh.rest.pulls.async_list_reviews(
                owner, repo, number, per_page=PER_PAGE, page=page, headers=headers
            ),
            f"reviews of #{number}",
        )
        out: list[Review] = []
        for review in entries:
            if review.user is None:
                continue  # a deleted account
            state = _REVIEW_STATES.get(review.state)
            at = review.submitted_at.timestamp() if review.submitted_at else None
            if state is not None:
                out.append(Review(review.user.login, state, review.commit_id, at))
        return out

    @answers_checked
    async def team_members(
        self, inst: int, org: str, slug: str, version: int = 0
    ) -> frozenset[str] | None:
        """Logins of a team (cached); None when the team does not exist or is not visible.
        `version`: the org's teams version in the journal, bumped on membership and team
        events, so that no process keeps a membership another process learnt is gone."""
        key = (org.lower(), slug.lower(), version)
        cached = self._teams.get(key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        gh = self._client(inst)
        try:
            entries = await all_pages(
                lambda page: gh.rest.teams.async_list_members_in_org(
                    org, slug, per_page=PER_PAGE, page=page
                ),
                f"members of team {org}/{slug}",
            )
            members: set[str] | None = {m.login.lower() for m in entries}
        except GatewayError as error:
            if error.status != 404:
                raise
            members = None
        result = frozenset(members) if members is not None else None
        self._teams[key] = (self._clock() + self._team_ttl, result)
        return result

    def forget_teams(self, org: str) -> None:
        """Drop cached membership of an org's teams (after membership/team events)."""
        for key in [k for k in self._teams if k[0] == org.lower()]:
            del self._teams[key]

    @answers_checked
    async def dependency_changes(
        self, inst: int, owner: str, repo: str, base: str, head: str
    ) -> list[dict[str, Any]] | None:
        """GitHub's dependency-graph diff between two commits, or None where the
        repository has no dependency graph (or the app may not read it). A refusal is
        remembered for an hour, so repositories without the graph cost no call."""
        key = (owner.lower(), repo.lower())
        if self._clock() < self._no_graph.get(key, 0.0):
            return None
        gh = self._client(inst)
        try:
            response = await gh.rest.dependency_graph.async_diff_range(
                owner, repo, f"{base}...{head}"
            )
        except RequestFailed as error:
            if error.response.status_code in (403, 404):
                self._no_graph[key] = self._clock() + NO_GRAPH_SECONDS
                return None
            raise wrap(error, "comparing dependencies") from None
        except GitHubException as error:
            raise wrap(error, "comparing dependencies") from None
        return [change.model_dump(mode="json") for change in response.parsed_data]

    @answers_checked
    async def changed_since(
        self, inst: int, owner: str, repo: str, base: str, head: str
    ) -> frozenset[str] | None:
        """Paths changed since `base` (a reviewed commit) up to `head`, or None when that
        cannot be told: `base` gone (force-pushed away), histories that diverged, or
        `head` behind `base` (a force-push back to an earlier commit: the three-dot diff
        is then empty although what was reviewed is no longer what is there)."""
        gh = self._client(inst)
        try:
            response = await gh.rest.repos.async_compare_commits(
                owner, repo, f"{base}...{head}", per_page=PER_PAGE
            )
        except RequestFailed as error:
            if error.response.status_code in (404, 422):
                return None  # e.g. the reviewed commit was force-pushed away
            raise wrap(error, "comparing commits") from None
        except GitHubException as error:
            raise wrap(error, "comparing commits") from None
        data = response.parsed_data
        if data.status == "identical":
            return frozenset()
        if data.status != "ahead" or data.files is None:
            return None
        paths = {f.filename for f in data.files}
        paths |= {f.previous_filename for f in data.files if f.previous_filename}
        if len(data.files) >= 300:
            return None  # the compare API caps files at 300: the list may be partial
        return frozenset(paths)

    @answers_checked
    async def tree_changes(
        self, inst: int, owner: str, repo: str, old: str, new: str
    ) -> frozenset[str] | None:
        """Paths whose content differs between two commits, from their whole trees: what
        a compare cannot say when the commits diverged (a rebase) or the head went back.
        None when GitHub cuts a tree short (a repository of over 100,000 files)."""
        gh = self._client(inst)
        blobs: list[dict[str, str]] = []
        for sha in (old, new):
            try:
                tree = (
                    await gh.rest.git.async_get_tree(owner, repo, sha, recursive="1")
                ).parsed_data
            except RequestFailed as error:
                if error.response.status_code in (404, 422):
                    return None  # the reviewed commit is gone
                raise wrap(error, "reading a tree") from None
            except GitHubException as error:
                raise wrap(error, "reading a tree") from None
            if tree.truncated:
                return None
            blobs.append({e.path: e.sha for e in tree.tree if e.type == "blob"})
        before, after = blobs
        return frozenset(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))

    @answers_checked
    async def changes(self, inst: int, owner: str, repo: str, base: str, head: str) -> Changes:
        """The files and commits between two commits, or a GatewayError (404: unknown)."""
        gh = self._client(inst)
        response = await call(
            gh.rest.repos.async_compare_commits(owner, repo, f"{base}...{head}", per_page=PER_PAGE),
            "comparing commits",
        )
        data = response.parsed_data
        files = data.files or []
        paths = {f.filename for f in files} | {
            f.previous_filename for f in files if f.previous_filename
        }
        commits = tuple(commit(c) for c in data.commits)
        complete = len(files) < 300 and len(commits) >= data.total_commits
        return Changes(data.status, frozenset(paths), commits, complete)

    @answers_checked
    async def pull_commits(self, inst: int, owner: str, repo: str, number: int) -> list[Commit]:
        """The PR's commits, oldest first (GitHub lists at most 250)."""
        gh = self._client(inst)
        entries = await all_pages(
            lambda page: gh.rest.pulls.async_list_commits(
                owner, repo, number, per_page=PER_PAGE, page=page
            ),
            f"commits of #{number}",
        )
        return [commit(entry) for entry in entries]

    @answers_checked
    async def label_actors(self, inst: int, owner: str, repo: str, number: int) -> dict[str, str]:
        """Label (lower case) -> login of whoever set it last, from the issue events."""
        gh = self._client(inst)
        events = await all_pages(
            lambda page: gh.rest.issues.async_list_events(
                owner, repo, number, per_page=PER_PAGE, page=page
            ),
            f"events of #{number}",
        )
        actors: dict[str, str] = {}
        for event in events:  # oldest first: a later labeling wins
            label = getattr(getattr(event, "label", None), "name", None)
            actor = getattr(getattr(event, "actor", None), "login", None)
            if getattr(event, "event", None) == "labeled" and label and actor:
                actors[label.lower()] = actor
        return actors

    @answers_checked
    async def open_pulls(self, inst: int, owner: str, repo: str, base: str) -> list[int]:
        gh = self._client(inst)
        pulls = await all_pages(
            lambda page: gh.rest.pulls.async_list(
                owner, repo, state="open", base=base, per_page=PER_PAGE, page=page
            ),
            f"open pull requests on {base}",
        )
        return [pr.number for pr in pulls]
