"""Shared test helpers: real git repositories in tmp_path, files from diffs."""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TextIO

import pytest

from app.detect.base import ChangedFile
from app.detect.diff import parse_git_diff
from app.jobs.store import Journal, open_journal

FIXTURES = Path(__file__).parent / "fixtures"


class GitRepo:
    """A throwaway repository driven by the real git binary."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            [
                "git",
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
                *args,
            ],
            cwd=self.path,
            capture_output=True,
            check=True,
        )
        return done.stdout.decode()

    def write(self, files: dict[str, str | bytes]) -> None:
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)

    def commit(self, files: dict[str, str | bytes] | None = None, message: str = "c") -> str:
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def diff(self, *args: str) -> str:
        return self.git("diff", "--no-color", "-M", "--src-prefix=a/", "--dst-prefix=b/", *args)


# Longer than any test takes (the slowest, Chromium's and the durability kills, run
# well under a minute); a test that hangs ends the run here with every thread's stack
# instead of holding CI until its own limit, with nothing said.
WATCHDOG_SECONDS = 300


_REAL_STDERR: list[int] = []  # the terminal's stderr, not the capture of a test's


def pytest_configure(config: pytest.Config) -> None:
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture()
    _REAL_STDERR.append(os.dup(2))
    if capture is not None:
        capture.resume_global_capture()


@pytest.fixture(autouse=True)
def _watchdog(request: pytest.FixtureRequest) -> Iterator[None]:
    out = os.fdopen(os.dup(_REAL_STDERR[0]), "w") if _REAL_STDERR else None
    # first the test's name and what its event loops await (the thread stacks
    # faulthandler prints then show only a loop idle in select), then the stacks
    warning = threading.Timer(
        WATCHDOG_SECONDS - 5, _say_what_hangs, (request.node.nodeid, out or sys.stderr)
    )
    warning.daemon = True
    warning.start()
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True, file=out or sys.stderr)
    yield
    faulthandler.cancel_dump_traceback_later()
    warning.cancel()
    if out is not None:
        out.close()


def _say_what_hangs(nodeid: str, out: TextIO) -> None:
    print(f"\nwatchdog: {nodeid} has run for {WATCHDOG_SECONDS - 5} s", file=out)
    loops = [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop)]
    for loop in loops:
        if not loop.is_running():
            continue
        for task in list(asyncio.all_tasks(loop)):
            print(f"task {task.get_name()}: {task.get_coro()!r}", file=out)
            task.print_stack(file=out)
    out.flush()


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def make_files() -> Callable[[str], list[ChangedFile]]:
    return parse_git_diff


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_up() -> bool:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """Find the machine's Postgres, or start it; fail (never skip) if neither works."""
    if not _pg_up():
        subprocess.run(
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            shell=True,
            check=False,
            capture_output=True,
        )
        for _ in range(30):
            if _pg_up():
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"Postgres is not reachable at {PG_URL} and could not be started")
    return PG_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh schema per test, chosen through the connection's search_path."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in postgres_server else "?"
    yield f"{postgres_server}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite journal file, for tests whose point is not the backend."""
    return f"sqlite:///{tmp_path / 'journal.db'}"


@pytest.fixture
async def journal(database_url: str) -> AsyncIterator[Journal]:
    """An open journal on each backend (SQLite file, Postgres schema)."""
    store = open_journal(database_url)
    await store.open()
    yield store
    await store.close()
