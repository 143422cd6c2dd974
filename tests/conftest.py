"""Shared test helpers: real git repositories in tmp_path, files from diffs."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from app.detect.base import ChangedFile
from app.detect.diff import parse_git_diff

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


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def make_files() -> Callable[[str], list[ChangedFile]]:
    return parse_git_diff
