"""The config a pull request is judged by, read through the gateway.

Read from the PR's base commit, so a PR can never weaken its own rules; a PR that
edits the file must leave it valid. `extends: owner/repo` is fetched here and handed
to the pure loader, which does no I/O. Parsed configs are cached by their exact
inputs: parsing YAML with positions was a tenth of an evaluation's CPU, and most
evaluations see the same text.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from app.github.gateway import Gateway, GatewayError
from app.jobs.model import Job
from app.policy.config import CONFIG_PATH, REPOSITORY
from app.policy.loading import (
    ConfigError,
    ConfigIssue,
    ExtendsError,
    LoadedConfig,
    default_config,
    load_config,
)
from app.report import messages

PARSED_CONFIGS = 256


class Configs:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self._parsed: OrderedDict[tuple[Any, ...], LoadedConfig] = OrderedDict()

    async def at_base(self, job: Job, base_sha: str) -> LoadedConfig:
        """The config on the PR's base commit; the built-in defaults where it has none.
        Raises ConfigError when it is invalid."""
        inst, owner, repo = job.installation_id, job.owner, job.repo
        text = await self.gateway.file_text(inst, owner, repo, CONFIG_PATH, base_sha)
        if text is not None:
            return await self.load(job, text, f"{CONFIG_PATH}@{base_sha[:7]}")
        # Only a definite "no such file" means the defaults: a 404 of a moment must not
        # replace the repository's rules. The commit's trees say for sure.
        if not await self.gateway.lacks_file(inst, owner, repo, CONFIG_PATH, base_sha):
            raise GatewayError(messages.config_vanished(CONFIG_PATH, base_sha))
        return default_config()

    async def problems_in_change(self, job: Job, head_sha: str) -> list[ConfigIssue]:
        """What is wrong with the config as this PR leaves it (none if it deletes it:
        the base config applies until the merge)."""
        text = await self.gateway.file_text(
            job.installation_id, job.owner, job.repo, CONFIG_PATH, head_sha
        )
        if text is None:
            return []
        try:
            await self.load(job, text, f"{CONFIG_PATH} (this pull request)")
        except ConfigError as error:
            return list(error.issues)
        return []

    async def load(self, job: Job, text: str, source: str) -> LoadedConfig:
        """load_config with every `extends: owner/repo` fetched beforehand."""
        fetched: dict[str, tuple[str, str] | str] = {}
        while True:
            key = (text, source, tuple(sorted(fetched.items())))
            if (cached := self._parsed.get(key)) is not None:
                self._parsed.move_to_end(key)
                return cached
            try:
                # off the event loop: a config new to this process takes milliseconds to
                # read (more near the size limits), and webhooks must be answered meanwhile
                loaded = await asyncio.to_thread(
                    load_config, text, source, lambda value, _src: _lookup(fetched, value)
                )
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
            return messages.extends_not_a_repository(value)
        owner, repo = value.split("/", 1)
        text = await self.gateway.file_text(job.installation_id, owner, repo, CONFIG_PATH, None)
        if text is None:
            return messages.extends_missing(value, CONFIG_PATH)
        return text, f"{value}:{CONFIG_PATH}"


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
