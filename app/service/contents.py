"""What detectors read beyond the patch, fetched before detection so that detection
itself does no I/O: whole base and head files (lockfiles, migrations only their
content can confirm) and GitHub's dependency-graph comparison."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from app.detect.base import ChangedFile, FileStatus, Finding
from app.detect.dependencies import dependency_file, graph
from app.detect.migrations.context import base_paths_wanted
from app.detect.patching import new_text
from app.detect.registry import content_wanted
from app.github.gateway import Gateway, PullInfo
from app.jobs.model import Job
from app.policy.config import Config
from app.report import messages

# Whole files (base and head) read for detectors per evaluation, and at once.
MAX_CONTENT_FILES = 30
CONTENT_CONCURRENCY = 8
# Earlier migrations read for Django AlterFields' previous state, per evaluation.
MAX_CONTEXT_FILES = 20


async def dependency_graph(
    gateway: Gateway, job: Job, config: Config, pull: PullInfo, files: list[ChangedFile]
) -> list[Finding] | None:
    """Dependency findings from GitHub's dependency graph (one call, licences and
    advisories included) when the repository has one and a dependency file changed;
    None means: compare the files ourselves."""
    settings = config.detectors.by_name().get("dependencies")
    if settings is not None and not settings.enabled:
        return None
    if not any(dependency_file(f.path) for f in files):
        return None
    changes = await gateway.dependency_changes(
        job.installation_id, job.owner, job.repo, pull.base_sha, pull.head_sha
    )
    return None if changes is None else graph.findings(changes)


async def load_whole_files(
    gateway: Gateway,
    job: Job,
    config: Config,
    pull: PullInfo,
    files: list[ChangedFile],
    *,
    graph_covered: bool,
) -> list[str]:
    """Attach base and head texts to the files detectors read whole. Returns the
    check-run notes for files left to their diff (over the limit)."""
    wanted = content_wanted(files, config.detectors.by_name())
    if graph_covered:  # the dependency graph already compared these
        wanted = [f for f in wanted if not dependency_file(f.path)]
    if not wanted:
        return []
    inst, owner, repo = job.installation_id, job.owner, job.repo
    base = await gateway.merge_base(inst, owner, repo, pull.base_sha, pull.head_sha)
    limit = asyncio.Semaphore(CONTENT_CONCURRENCY)

    async def text(path: str, ref: str, blob: str | None = None) -> str | None:
        async with limit:
            return await gateway.file_text(inst, owner, repo, path, ref, blob)

    async def load(changed: ChangedFile) -> None:
        if rebuildable(changed):
            # the base side first: the head is the base with the patch applied, when
            # that hashes to the blob GitHub names (no request for it)
            before = await text(changed.base_path, base)
            after = new_text(before, changed.patch or "", changed.blob or "") if before else None
            if after is None:
                after = await text(changed.path, pull.head_sha, changed.blob)
        else:
            before, after = await asyncio.gather(
                text(changed.base_path, base) if changed.status != FileStatus.ADDED else _nothing(),
                text(changed.path, pull.head_sha, changed.blob)
                if changed.status != FileStatus.REMOVED
                else _nothing(),
            )
        changed.base_loader = lambda _path: before
        changed.head_loader = lambda _path: after

    await asyncio.gather(*(load(c) for c in wanted[:MAX_CONTENT_FILES]))
    skipped = wanted[MAX_CONTENT_FILES:]
    if not skipped:
        return []
    return [messages.judged_by_diff([c.path for c in skipped], MAX_CONTENT_FILES)]


def rebuildable(changed: ChangedFile) -> bool:
    """A changed file whose head text its patch and blob SHA can give."""
    return (
        changed.status in (FileStatus.MODIFIED, FileStatus.RENAMED)
        and bool(changed.patch)
        and changed.blob is not None
    )


async def _nothing() -> None:
    return None


async def load_migration_context(
    gateway: Gateway, job: Job, config: Config, pull: PullInfo, files: list[ChangedFile]
) -> None:
    """Fetch the earlier migrations the migrations detector walks (Django AlterFields'
    previous definitions), round by round as it asks, within MAX_CONTEXT_FILES; then
    each file's base reader serves them. What is not fetched stays unknown, and the
    detector keeps its conservative rating and says why."""
    settings = config.detectors.by_name().get("migrations")
    if settings is not None and not settings.enabled:
        return
    known: dict[str, str | None] = {}
    inst, owner, repo = job.installation_id, job.owner, job.repo
    while len(known) < MAX_CONTEXT_FILES:
        paths = sorted({p for changed in files for p in base_paths_wanted(changed, known)})
        paths = paths[: MAX_CONTEXT_FILES - len(known)]
        if not paths:
            break
        texts = await asyncio.gather(
            *(gateway.file_text(inst, owner, repo, path, pull.base_sha) for path in paths)
        )
        known.update(zip(paths, texts, strict=True))
    if not known:
        return
    for changed in files:
        own = changed.base_loader
        changed.base_loader = _reader(known, own)


def _reader(
    known: dict[str, str | None], own: Callable[[str], str | None] | None
) -> Callable[[str], str | None]:
    def read(path: str) -> str | None:
        if path in known:
            return known[path]
        return own(path) if own is not None else None

    return read
