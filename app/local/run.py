"""What `release-roles check`, `validate` and `pre-push` do, apart from click.

cli.py imports this module only inside the commands that need it, so `--version` and
`--help` load none of the detectors (their imports are most of a check's start-up).
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.detect.base import ChangedFile, Finding
from app.detect.diff import DiffError, parse_git_diff
from app.detect.registry import run_detectors
from app.local import hooks
from app.local.git import GitError, Repo, read_diff_file
from app.local.resolve import local_resolver
from app.policy.config import CONFIG_PATH
from app.policy.evaluate import Decision, evaluate
from app.policy.facts import PullFacts
from app.policy.loading import (
    ConfigError,
    LoadedConfig,
    Resolver,
    default_config,
    load_config,
)
from app.report import json as json_report
from app.report import markdown, text


class RunError(Exception):
    """Bad usage, config or input: the CLI exits 2 with this message."""


def check(
    *,
    base: str | None,
    head: str | None,
    diff_path: str | None,
    config_path: str | None,
    extends_path: str | None,
    fmt: str,
    labels: tuple[str, ...],
    author: str | None,
    base_branch: str | None,
    osv_url: str | None,
    osv: bool,
    repo_dir: str,
) -> tuple[str, bool]:
    """The report, and whether any role is required."""
    try:
        files, loaded, title = _gather(
            base, head, diff_path, config_path, extends_path, Path(repo_dir)
        )
    except ConfigError as error:
        raise RunError(f"invalid config:\n{error}") from None
    except (GitError, DiffError) as error:
        raise RunError(str(error)) from None
    target = base_branch or (base.removeprefix("origin/") if base else None)
    facts = PullFacts(author=author, labels=frozenset(labels), base_branch=target)
    findings = run_detectors(files, loaded.config.detectors.by_name())
    if osv:
        findings = _with_osv(findings, osv_url)
    decision = evaluate(loaded.config, files, findings, facts)
    return _render(decision, fmt, title, loaded), bool(decision.required)


def pre_push(stdin: str) -> tuple[list[str], bool]:
    """Each pushed range's report, and whether any needs a role."""
    reports: list[str] = []
    required = False
    for push in hooks.pushes(stdin):
        base = push.base
        if base is not None:
            try:
                Repo(Path(".")).resolve(base)
            except GitError:  # the remote's commit is not here: as for a new branch
                base = None
        try:
            files, loaded, _title = _gather(base, push.head, None, None, None, Path("."))
        except ConfigError as error:
            raise RunError(f"invalid config:\n{error}") from None
        except (GitError, DiffError) as error:
            raise RunError(str(error)) from None
        findings = run_detectors(files, loaded.config.detectors.by_name())
        decision = evaluate(loaded.config, files, findings, PullFacts())
        reports.append(_render(decision, "text", push.local_ref, loaded))
        required = required or bool(decision.required)
    return reports, required


def validate(path: str, extends_path: str | None) -> str:
    loaded = _config_file_checked(path, extends_path)
    roles = ", ".join(loaded.config.roles) or "none"
    return f"{path}: valid (roles: {roles})"


def _with_osv(findings: list[Finding], url: str | None) -> list[Finding]:
    import asyncio

    import httpx

    from app.local import osv

    async def run() -> list[Finding]:
        async with httpx.AsyncClient(timeout=10.0) as client:
            return await osv.check(findings, client, url or osv.OSV_URL)

    return asyncio.run(run())


def _gather(
    base: str | None,
    head: str | None,
    diff_path: str | None,
    config_path: str | None,
    extends_path: str | None,
    repo_dir: Path,
) -> tuple[list[ChangedFile], LoadedConfig, str]:
    resolve = local_resolver(extends_path)
    if diff_path is not None:
        if base or head:
            raise RunError("--diff cannot be combined with --base or --head")
        stdin = sys.stdin.read() if diff_path == "-" else None
        raw = read_diff_file(diff_path, stdin)
        files = parse_git_diff(raw)
        if not files and raw.strip():
            raise RunError(f"{diff_path}: no file diffs found; expected `git diff` output")
        default_file = repo_dir / CONFIG_PATH
        if config_path is None and default_file.is_file():
            config_path = str(default_file)
        return files, _config_file(config_path, resolve), diff_path
    repo = Repo(repo_dir)
    span = repo.range(base, head)
    files = repo.changed_files(span)
    if config_path is not None:
        return files, _config_file(config_path, resolve), span.label
    return files, _config_at_base(repo, span.base, span.head, files, resolve), span.label


def _config_file(path: str | None, resolve: Resolver) -> LoadedConfig:
    if path is None:
        return default_config()
    try:
        content = Path(path).read_text("utf-8")
    except OSError as error:
        raise RunError(f"cannot read config {path}: {error.strerror}") from None
    return load_config(content, path, resolve)


def _config_at_base(
    repo: Repo, base: str, head: str | None, files: list[ChangedFile], resolve: Resolver
) -> LoadedConfig:
    """The base branch's config, as the server will use; a changed config must also be valid."""
    if any(f.path == CONFIG_PATH for f in files):
        new = repo.show(head, CONFIG_PATH)
        if new is not None:
            load_config(new, f"{CONFIG_PATH} (this change)", resolve)
    current = repo.show(base, CONFIG_PATH)
    if current is None:
        return default_config()
    return load_config(current, f"{CONFIG_PATH} (base)", resolve)


def _render(decision: Decision, fmt: str, title: str, loaded: LoadedConfig) -> str:
    if fmt == "json":
        return json_report.render(decision)
    if fmt == "markdown":
        return markdown.render(decision)
    out = text.render(decision, colour=sys.stdout.isatty(), title=title)
    if loaded.is_default:
        out += f"(no {CONFIG_PATH}: using the built-in roles dba, security, sre)\n"
    return out


def _config_file_checked(path: str, extends_path: str | None) -> LoadedConfig:
    if not Path(path).is_file():
        raise RunError(f"{path}: no such file")
    try:
        return _config_file(path, local_resolver(extends_path))
    except ConfigError as error:
        raise RunError(f"invalid config:\n{error}") from None
