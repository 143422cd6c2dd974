"""Every write the App makes to GitHub: review requests, check runs, the release-plan
comment. A mixin of the Gateway, so one client and one call counter serve both."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from githubkit.exception import GitHubException, RequestFailed

from app.github.client import answers_checked, call, error_message, wrap


class Writes:
    def _client(self, installation_id: int) -> Any:
        raise NotImplementedError

    @answers_checked
    async def request_reviewers(
        self,
        inst: int,
        owner: str,
        repo: str,
        number: int,
        users: Iterable[str],
        teams: Iterable[str],
    ) -> str | None:
        """Ask for reviews; a refusal (422: not a collaborator, team without access)
        comes back as a sentence for the check run instead of an exception."""
        data = {"reviewers": sorted(users), "team_reviewers": sorted(teams)}
        gh = self._client(inst)
        try:
            await gh.rest.pulls.async_request_reviewers(owner, repo, number, data=data)
        except RequestFailed as error:
            if error.response.status_code == 422:
                message = error_message(error)
                return f"GitHub refused to request {_names(data)}: {message}"
            raise wrap(error, "requesting reviewers") from None
        except GitHubException as error:
            raise wrap(error, "requesting reviewers") from None
        return None

    @answers_checked
    async def create_comment(self, inst: int, owner: str, repo: str, number: int, body: str) -> int:
        gh = self._client(inst)
        response = await call(
            gh.rest.issues.async_create_comment(owner, repo, number, data={"body": body}),
            f"comment on #{number}",
        )
        return int(response.parsed_data.id)

    @answers_checked
    async def update_comment(
        self, inst: int, owner: str, repo: str, comment_id: int, body: str
    ) -> bool:
        """Edit a comment in place; False when it is gone (a person deleted it)."""
        gh = self._client(inst)
        try:
            await gh.rest.issues.async_update_comment(owner, repo, comment_id, data={"body": body})
        except RequestFailed as error:
            if error.response.status_code == 404:
                return False
            raise wrap(error, "updating the release-plan comment") from None
        except GitHubException as error:
            raise wrap(error, "updating the release-plan comment") from None
        return True

    @answers_checked
    async def create_check(self, inst: int, owner: str, repo: str, data: dict[str, Any]) -> int:
        gh = self._client(inst)
        response = await call(gh.rest.checks.async_create(owner, repo, data=data), "check run")
        return int(response.parsed_data.id)

    @answers_checked
    async def update_check(
        self, inst: int, owner: str, repo: str, check_run_id: int, data: dict[str, Any]
    ) -> None:
        gh = self._client(inst)
        await call(gh.rest.checks.async_update(owner, repo, check_run_id, data=data), "check run")


def _names(data: dict[str, list[str]]) -> str:
    names = [f"@{u}" for u in data["reviewers"]] + [f"team {t}" for t in data["team_reviewers"]]
    return ", ".join(names)
