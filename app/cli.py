"""`release-roles`: the engine on a local diff, config validation and the JSON Schema.

Exit codes: 0 evaluated (or valid); 1 roles are required and
--fail-on-required was given; 2 usage, config or input error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.detect.base import ChangedFile, Finding
from app.detect.diff import DiffError, parse_git_diff
from app.detect.registry import run_detectors
from app.local import hooks
from app.local.git import GitError, Repo, read_diff_file
from app.local.resolve import local_resolver
from app.policy.config import CONFIG_PATH, json_schema
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

EXIT_OK, EXIT_REQUIRED, EXIT_USAGE = 0, 1, 2


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="release-roles")
def cli() -> None:
    """Which release roles must review a change, and why."""


@cli.command()
@click.option(
    "--base", help="Compare against this ref [default: merge-base with the default branch]."
)
@click.option(
    "--head", help="The changed side [default: the working tree, untracked files included]."
)
@click.option(
    "--diff",
    "diff_path",
    metavar="FILE|-",
    help="Read a `git diff` from a file or stdin instead of git.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help=f"Config file [default: {CONFIG_PATH} at the base ref, else built-in defaults].",
)
@click.option(
    "--extends-path",
    type=click.Path(dir_okay=False),
    help="Local copy of the file an `extends: owner/repo` names.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on-required", is_flag=True, help="Exit 1 when any role is required (for hooks and CI)."
)
@click.option(
    "--label", "labels", multiple=True, help="Pretend the PR has this label (repeatable)."
)
@click.option("--author", help="Pretend the PR is by this login.")
@click.option(
    "--base-branch", help="Pretend the PR targets this branch [default: the --base name]."
)
@click.option(
    "--osv",
    is_flag=True,
    help="Look up added and changed package versions in OSV (a network call).",
)
@click.option("--osv-url", default=None, hidden=True, help="OSV batch endpoint (tests).")
@click.option(
    "-C",
    "repo_dir",
    type=click.Path(file_okay=False, exists=True),
    default=".",
    help="Run as if started in this directory.",
)
def check(
    base: str | None,
    head: str | None,
    diff_path: str | None,
    config_path: str | None,
    extends_path: str | None,
    fmt: str,
    fail_on_required: bool,
    labels: tuple[str, ...],
    author: str | None,
    base_branch: str | None,
    osv: bool,
    osv_url: str | None,
    repo_dir: str,
) -> None:
    """Report which roles this change needs and the evidence for each."""
    try:
        files, loaded, title = _gather(
            base, head, diff_path, config_path, extends_path, Path(repo_dir)
        )
    except ConfigError as error:
        raise UsageFailure(f"invalid config:\n{error}") from None
    except (GitError, DiffError) as error:
        raise UsageFailure(str(error)) from None
    target = base_branch or (base.removeprefix("origin/") if base else None)
    facts = PullFacts(author=author, labels=frozenset(labels), base_branch=target)
    findings = run_detectors(files, loaded.config.detectors.by_name())
    if osv:
        findings = _with_osv(findings, osv_url)
    decision = evaluate(loaded.config, files, findings, facts)
    click.echo(_render(decision, fmt, title, loaded), nl=False)
    if fail_on_required and decision.required:
        sys.exit(EXIT_REQUIRED)


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
            raise UsageFailure("--diff cannot be combined with --base or --head")
        stdin = sys.stdin.read() if diff_path == "-" else None
        raw = read_diff_file(diff_path, stdin)
        files = parse_git_diff(raw)
        if not files and raw.strip():
            raise UsageFailure(f"{diff_path}: no file diffs found; expected `git diff` output")
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
        raise UsageFailure(f"cannot read config {path}: {error.strerror}") from None
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


@cli.command()
@click.argument("path", required=False, default=CONFIG_PATH, type=click.Path(dir_okay=False))
@click.option(
    "--extends-path",
    type=click.Path(dir_okay=False),
    help="Local copy of the file an `extends: owner/repo` names.",
)
def validate(path: str, extends_path: str | None) -> None:
    """Check a config file; errors name file:line:col."""
    loaded = _config_file_checked(path, extends_path)
    roles = ", ".join(loaded.config.roles) or "none"
    click.echo(f"{path}: valid (roles: {roles})")


def _config_file_checked(path: str, extends_path: str | None) -> LoadedConfig:
    if not Path(path).is_file():
        raise UsageFailure(f"{path}: no such file")
    try:
        return _config_file(path, local_resolver(extends_path))
    except ConfigError as error:
        raise UsageFailure(f"invalid config:\n{error}") from None


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the config file (for editors)."""
    click.echo(json.dumps(json_schema(), indent=2))


@cli.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, help="Port [default: $PORT, else 8000].")
def serve(host: str, port: int | None) -> None:
    """Run the GitHub App: webhooks in, review requests and check runs out."""
    import uvicorn

    from app.main import create_app
    from app.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        raise UsageFailure(f"cannot start: {error}") from None
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port or settings.port, log_config=None, access_log=False)


@cli.command()
def worker() -> None:
    """Run only the worker (evaluations), beside `serve` with WORKER_IN_PROCESS=false."""
    import asyncio
    import signal

    from app.main import run_worker
    from app.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        raise UsageFailure(f"cannot start: {error}") from None

    async def until_signalled() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, stop)

    asyncio.run(until_signalled())


@cli.command("pre-push")
@click.option("--fail-on-required", is_flag=True, help="Stop the push when any role is required.")
@click.argument("remote", required=False)
@click.argument("url", required=False)
def pre_push(fail_on_required: bool, remote: str | None, url: str | None) -> None:
    """Check each range git is pushing (run by the hook `install-hook` writes; git
    hands it the refs on stdin)."""
    required = False
    for push in hooks.pushes(sys.stdin.read()):
        base = push.base
        if base is not None:
            try:
                Repo(Path(".")).resolve(base)
            except GitError:  # the remote's commit is not here: as for a new branch
                base = None
        try:
            files, loaded, _title = _gather(base, push.head, None, None, None, Path("."))
        except ConfigError as error:
            raise UsageFailure(f"invalid config:\n{error}") from None
        except (GitError, DiffError) as error:
            raise UsageFailure(str(error)) from None
        findings = run_detectors(files, loaded.config.detectors.by_name())
        decision = evaluate(loaded.config, files, findings, PullFacts())
        click.echo(_render(decision, "text", push.local_ref, loaded), nl=False)
        required = required or bool(decision.required)
    if fail_on_required and required:
        sys.exit(EXIT_REQUIRED)


@cli.command("install-hook")
@click.option("--fail-on-required", is_flag=True, help="The hook stops pushes that need a role.")
@click.option("--force", is_flag=True, help="Replace a pre-push hook that is not ours.")
@click.option("-C", "repo_dir", type=click.Path(file_okay=False, exists=True), default=".")
def install_hook(fail_on_required: bool, force: bool, repo_dir: str) -> None:
    """Write .git/hooks/pre-push: every push is checked first."""
    try:
        repo = Repo(Path(repo_dir))
        git_dir = Path(repo.git("rev-parse", "--absolute-git-dir").strip())
        hook = hooks.install(git_dir, fail_on_required, force)
    except (GitError, FileExistsError) as error:
        raise UsageFailure(str(error)) from None
    click.echo(f"wrote {hook}")


def main() -> None:
    cli(prog_name="release-roles")


if __name__ == "__main__":
    main()
