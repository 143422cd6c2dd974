"""Calls made with a person's own token, for the pages' login (the App's OAuth
client): who they are, and which repositories of the App's installations they can
read. Nothing else is asked with their token."""

from __future__ import annotations

from typing import Any

import httpx
from githubkit import GitHub, OAuthWebAuthStrategy, TokenAuthStrategy, UnauthAuthStrategy
from githubkit.exception import AuthExpiredError, GitHubException

from app.github.client import PER_PAGE, SharedTransport, call, wrap


class Users:
    def __init__(
        self,
        *,
        api_url: str,
        client_id: str,
        client_secret: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_url = api_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._transport = transport or httpx.AsyncHTTPTransport()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def _github(self, auth: Any) -> Any:
        # Any: githubkit's generated overloads do not check under mypy (gateway.py)
        return GitHub(
            auth,
            base_url=self.api_url,
            async_transport=SharedTransport(self._transport),
            http_cache=False,
            # a person is waiting for the page: no backoff, an error they can retry
            auto_retry=False,
            timeout=15.0,
            user_agent="release-roles",
        )

    async def exchange(self, code: str, redirect_uri: str) -> str:
        """The user's token for the code GitHub's authorize step handed back."""
        web = OAuthWebAuthStrategy(self.client_id, self._client_secret, code, redirect_uri)
        try:
            # a client without auth: one built with `web` would trade the code itself
            # before this request, and the code is good for one trade only
            token_auth = await web.async_exchange_token(self._github(UnauthAuthStrategy()))
        except AuthExpiredError as error:  # GitHub answers a used or bad code with 200
            raise LoginError(f"GitHub did not accept the login: {error.args[-1]}") from None
        except GitHubException as error:
            raise wrap(error, "the login's token") from None
        token = token_auth.token
        if not token:
            raise LoginError("GitHub answered the login without a token")
        return str(token)

    async def login(self, token: str) -> str:
        github = self._github(TokenAuthStrategy(token))
        response = await call(github.rest.users.async_get_authenticated(), "the user")
        return str(response.parsed_data.login)

    async def readable_repos(self, token: str) -> frozenset[str]:
        """owner/name (lower case) of every repository the App is installed on that
        this user's token can read."""
        github = self._github(TokenAuthStrategy(token))
        rest = github.rest.apps
        repos: set[str] = set()
        for page in range(1, 100):
            listed = await call(
                rest.async_list_installations_for_authenticated_user(per_page=PER_PAGE, page=page),
                "the user's installations",
            )
            installations = listed.parsed_data.installations
            for installation in installations:
                repos |= await self._repos_of(github, installation.id)
            if len(installations) < PER_PAGE:
                break
        return frozenset(repos)

    async def _repos_of(self, github: Any, installation_id: int) -> set[str]:
        names: set[str] = set()
        for page in range(1, 1000):
            listed = await call(
                github.rest.apps.async_list_installation_repos_for_authenticated_user(
                    installation_id, per_page=PER_PAGE, page=page
                ),
                "the user's repositories",
            )
            repositories = listed.parsed_data.repositories
            names |= {r.full_name.lower() for r in repositories}
            if len(repositories) < PER_PAGE:
                break
        return names


class LoginError(Exception):
    """GitHub refused the login (a used, expired or forged code)."""
