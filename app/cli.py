"""`release-roles`: the engine on a local diff, config validation and the JSON Schema.

Exit codes: 0 evaluated (or valid); 1 roles are required and
--fail-on-required was given; 2 usage, config or input error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

# the config's path, spelt here too so that `--help` imports no model (a test keeps
# the two the same)
CONFIG_PATH = ".github/release-roles.yml"

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
    from app.local import run

    try:
        report, required = run.check(
            base=base,
            head=head,
            diff_path=diff_path,
            config_path=config_path,
            extends_path=extends_path,
            fmt=fmt,
            labels=labels,
            author=author,
            base_branch=base_branch,
            osv=osv,
            osv_url=osv_url,
            repo_dir=repo_dir,
        )
    except run.RunError as error:
        raise UsageFailure(str(error)) from None
    click.echo(report, nl=False)
    if fail_on_required and required:
        sys.exit(EXIT_REQUIRED)


@cli.command()
@click.argument("path", required=False, default=CONFIG_PATH, type=click.Path(dir_okay=False))
@click.option(
    "--extends-path",
    type=click.Path(dir_okay=False),
    help="Local copy of the file an `extends: owner/repo` names.",
)
def validate(path: str, extends_path: str | None) -> None:
    """Check a config file; errors name file:line:col."""
    from app.local import run

    try:
        click.echo(run.validate(path, extends_path))
    except run.RunError as error:
        raise UsageFailure(str(error)) from None


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the config file (for editors)."""
    from app.policy.config import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@cli.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, help="Port [default: $PORT, else 8000].")
def serve(host: str, port: int | None) -> None:
    """Run the GitHub App: webhooks in, review requests and check runs out. Reads the
    environment, and ./.env when there is one (environment variables win)."""
    from app.serving import export_env_file, run_server

    settings = _settings()
    port = port or settings.port
    child = None
    if settings.worker_in_process and settings.worker_subprocess:
        # the evaluations in a child process; the receiver(s) only record and wake it
        from app.jobs.child import WorkerChild
        from app.logs import configure

        configure(settings.log_level)  # its lines are JSON like every other
        export_env_file()
        child = WorkerChild()
        child.start()
        settings = settings.model_copy(update={"worker_in_process": False})
        os.environ["WORKER_IN_PROCESS"] = "false"  # for WEB_CONCURRENCY's processes
    try:
        run_server(settings, host, port, child)
    finally:
        if child is not None:
            child.stop()


def _settings() -> Any:
    from app.settings import SettingsError, load_settings

    env_file = Path(".env")
    try:
        return load_settings(env_file if env_file.is_file() else None)
    except SettingsError as error:
        raise UsageFailure(f"cannot start: {error}") from None


@cli.command()
def worker() -> None:
    """Run only the worker (evaluations), beside `serve` with WORKER_IN_PROCESS=false."""
    import asyncio
    import signal

    from app.main import run_worker

    settings = _settings()

    async def until_signalled() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        watching = asyncio.create_task(_stop_when_orphaned(stop))
        await run_worker(settings, stop, wake_on=signal.SIGUSR1)  # serve's child: woken
        watching.cancel()

    async def _stop_when_orphaned(stop: Any) -> None:
        """A worker whose parent is gone (serve killed with SIGKILL) stops too: an
        orphan would go on evaluating beside the next serve's own worker."""
        from app.jobs.child import PARENT_VARIABLE

        parent = int(os.environ.get(PARENT_VARIABLE) or os.getppid())
        while not stop.is_set():
            if os.getppid() != parent:
                stop.set()
            await asyncio.sleep(1.0)

    asyncio.run(until_signalled())


@cli.command()
@click.argument("delivery_id")
def delivery(delivery_id: str) -> None:
    """Print a recorded delivery's body (by its X-GitHub-Delivery) from the journal."""
    from app.jobs.store.bodies import print_delivery

    sys.exit(print_delivery(_settings().database_url, delivery_id))


@cli.command("pre-push")
@click.option("--fail-on-required", is_flag=True, help="Stop the push when any role is required.")
@click.argument("remote", required=False)
@click.argument("url", required=False)
def pre_push(fail_on_required: bool, remote: str | None, url: str | None) -> None:
    """Check each range git is pushing (run by the hook `install-hook` writes; git
    hands it the refs on stdin)."""
    from app.local import run

    try:
        reports, required = run.pre_push(sys.stdin.read())
    except run.RunError as error:
        raise UsageFailure(str(error)) from None
    for report in reports:
        click.echo(report, nl=False)
    if fail_on_required and required:
        sys.exit(EXIT_REQUIRED)


@cli.command("install-hook")
@click.option("--fail-on-required", is_flag=True, help="The hook stops pushes that need a role.")
@click.option("--force", is_flag=True, help="Replace a pre-push hook that is not ours.")
@click.option("-C", "repo_dir", type=click.Path(file_okay=False, exists=True), default=".")
def install_hook(fail_on_required: bool, force: bool, repo_dir: str) -> None:
    """Write .git/hooks/pre-push: every push is checked first."""
    from app.local import hooks
    from app.local.git import GitError, Repo

    try:
        repo = Repo(Path(repo_dir))
        git_dir = Path(repo.git("rev-parse", "--absolute-git-dir").strip())
        hook = hooks.install(git_dir, fail_on_required, force)
    except (GitError, FileExistsError) as error:
        raise UsageFailure(str(error)) from None
    click.echo(f"wrote {hook}")


@cli.command()
@click.option(
    "--url",
    "public_url",
    required=True,
    help="The App's public address (webhooks go to URL/webhooks).",
)
@click.option(
    "--name", default="Release Roles", show_default=True, help="The App's name on GitHub."
)
@click.option("--org", help="Register the App for this organization [default: your account].")
@click.option(
    "--github-url",
    envvar="GITHUB_URL",
    default="https://github.com",
    show_default=True,
    help="GitHub's web address (GitHub Enterprise: yours).",
)
@click.option(
    "--api-url",
    envvar="GITHUB_API_URL",
    default="https://api.github.com",
    show_default=True,
    help="GitHub's API address.",
)
@click.option(
    "--env-file",
    default=".env",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Where to write the App's settings (mode 600).",
)
@click.option(
    "--port", type=int, default=0, help="Local port of the setup page [default: any free one]."
)
@click.option("--force", is_flag=True, help="Overwrite an existing env file.")
@click.option("--no-browser", is_flag=True, help="Print the setup page's address; do not open it.")
@click.option(
    "--timeout", type=float, default=900.0, show_default=True, help="Seconds to wait for GitHub."
)
def setup(
    public_url: str,
    name: str,
    org: str | None,
    github_url: str,
    api_url: str,
    env_file: str,
    port: int,
    force: bool,
    no_browser: bool,
    timeout: float,
) -> None:
    """Register the GitHub App (GitHub's manifest flow) and write its settings to .env."""
    from app.local.setup import Flow, serve_flow

    target = Path(env_file)
    if target.exists() and not force:
        raise UsageFailure(f"{target} exists; move it away or pass --force")
    flow = Flow(github_url, api_url, target, name, public_url, org=org, force=force)
    server, base = serve_flow(flow, port)
    click.echo(f"Open {base}/ in a browser to register the App on GitHub.", err=True)
    if not no_browser:
        import webbrowser

        webbrowser.open(f"{base}/")
    finished = flow.done.wait(timeout)
    server.shutdown()
    if not finished:
        raise UsageFailure(f"no answer from GitHub within {timeout:.0f} s; run setup again")
    if flow.error or flow.app is None:
        raise UsageFailure(flow.error or "setup failed")
    click.echo(f"wrote {target} (mode 600) for the App {flow.app.get('html_url', '')}")
    click.echo(f"Install it on your repositories: {flow.app.get('html_url', '')}/installations/new")


def main() -> None:
    cli(prog_name="release-roles")


if __name__ == "__main__":
    main()
