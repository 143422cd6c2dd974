"""Reads of repository contents at exact commits: a file's text, whether a path is
absent, a PR's merge base. A mixin of the Gateway (one client, one call counter); each
answer about exact SHAs is kept in the gateway's ByCommit cache, so it is asked once.
"""

from __future__ import annotations

import base64
from typing import Any

from githubkit.exception import GitHubException, RequestFailed

from app.github.client import answers_checked, call, wrap
from app.github.immutable import ByCommit, is_sha


class Files:
    _by_commit: ByCommit

    def _client(self, installation_id: int) -> Any:
        raise NotImplementedError

    @answers_checked
    async def file_text(
        self, inst: int, owner: str, repo: str, path: str, ref: str | None, blob: str | None = None
    ) -> str | None:
        """A file's text at `ref` (None: the default branch), or None if it does not exist.
        At a full commit SHA, or given its blob SHA, the text is read once (it cannot
        change; a push that leaves the file alone keeps its blob)."""
        keys: list[tuple[str | None, ...]] = []
        if is_sha(ref):
            keys.append(("text", owner.lower(), repo.lower(), path, ref))
        if is_sha(blob):
            keys.append(("blob", owner.lower(), repo.lower(), blob))
        for key in keys:
            if (cached := self._by_commit.get(key)) is not None:
                return str(cached)
        text = await self._file_text(inst, owner, repo, path, ref)
        for key in keys if text is not None else []:
            self._by_commit.put(key, text, len(text or ""))
        return text

    async def _file_text(
        self, inst: int, owner: str, repo: str, path: str, ref: str | None
    ) -> str | None:
        gh = self._client(inst)
        try:
            kwargs: dict[str, Any] = {"ref": ref} if ref else {}
            response = await gh.rest.repos.async_get_content(owner, repo, path, **kwargs)
            data = response.parsed_data
            if getattr(data, "type", None) != "file":
                return None  # a directory, symlink or submodule
            if data.encoding == "none" and data.size > 0:
                # Over 1 MB the contents API leaves `content` empty (big lockfiles):
                # the blob API serves files up to 100 MB.
                blob = await gh.rest.git.async_get_blob(owner, repo, data.sha)
                data = blob.parsed_data
        except RequestFailed as error:
            if error.response.status_code == 404:
                return None
            raise wrap(error, f"reading {path}") from None
        except GitHubException as error:
            raise wrap(error, f"reading {path}") from None
        if data.encoding != "base64":
            return str(data.content)
        return base64.b64decode(data.content).decode("utf-8", "replace")

    @answers_checked
    async def lacks_file(self, inst: int, owner: str, repo: str, path: str, ref: str) -> bool:
        """Whether the commit `ref` has no file at `path`, from its git trees: the word
        of the object database, asked when the contents API says 404 (which it also says
        for a moment of trouble, and a 404 taken at its word would swap a repository's
        rules for the defaults)."""
        gh = self._client(inst)
        tree = ref
        parts = path.split("/")
        for depth, part in enumerate(parts, start=1):
            listing = await call(gh.rest.git.async_get_tree(owner, repo, tree), f"tree of {ref}")
            entry = next((e for e in listing.parsed_data.tree if e.path == part), None)
            if entry is None:
                return True
            if depth == len(parts):
                return bool(entry.type != "blob")
            tree = str(entry.sha)
        return True

    @answers_checked
    async def merge_base(self, inst: int, owner: str, repo: str, base: str, head: str) -> str:
        """The commit a PR's diff is taken from: where `head` left `base`'s history.

        A PR's base commit may be newer than that (the base branch moved on); reading
        "before" contents there would show the base branch's own changes as the PR's.
        For two exact commits the answer never changes: asked once.
        """
        key = ("merge_base", owner.lower(), repo.lower(), base, head)
        if (cached := self._by_commit.get(key)) is not None:
            return str(cached)
        gh = self._client(inst)
        try:
            response = await gh.rest.repos.async_compare_commits(
                owner, repo, f"{base}...{head}", per_page=1
            )
        except GitHubException as error:
            raise wrap(error, "finding the merge base") from None
        found = str(response.parsed_data.merge_base_commit.sha)
        if is_sha(base) and is_sha(head):
            self._by_commit.put(key, found, 100)
        return found
