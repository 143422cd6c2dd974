"""The pre-push hook, installed and run by a real `git push` to a local remote."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.local.hooks import MARKER, ZERO, Push, pushes
from tests.local.test_git import git

DROP = (
    "class Drop < ActiveRecord::Migration[7.1]\n"
    "  def change\n    remove_column :users, :email\n  end\nend\n"
)


def test_the_ranges_git_hands_the_hook() -> None:
    a, b = "a" * 40, "b" * 40
    stdin = (
        f"refs/heads/feature {a} refs/heads/feature {b}\n"
        f"refs/heads/new {a} refs/heads/new {ZERO}\n"
        f"(delete) {ZERO} refs/heads/gone {b}\n"
        "garbage\n"
    )
    assert pushes(stdin) == [Push("refs/heads/feature", a, b), Push("refs/heads/new", a, None)]


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "README.md").write_text("shop\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "base")
    git(work, "remote", "add", "origin", str(remote))
    git(work, "push", "-q", "origin", "main")
    return work


def push(work: Path, branch: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "push", "origin", branch],
        cwd=work,
        capture_output=True,
        text=True,
        env=os.environ | {"GIT_TERMINAL_PROMPT": "0"},
    )


def test_install_hook_then_a_push_is_checked_and_stopped_when_it_needs_a_role(
    clone: Path,
) -> None:
    result = CliRunner().invoke(cli, ["install-hook", "--fail-on-required", "-C", str(clone)])
    assert result.exit_code == 0, result.output
    hook = clone / ".git/hooks/pre-push"
    assert MARKER in hook.read_text()
    assert os.access(hook, os.X_OK)

    git(clone, "checkout", "-q", "-b", "docs")
    (clone / "docs.md").write_text("words\n")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "docs")
    quiet = push(clone, "docs")
    assert quiet.returncode == 0, quiet.stderr
    assert "No release role is required" in quiet.stdout + quiet.stderr

    git(clone, "checkout", "-q", "-b", "drop", "main")
    (clone / "db/migrate").mkdir(parents=True)
    (clone / "db/migrate/1_drop.rb").write_text(DROP)
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "drop a column")
    stopped = push(clone, "drop")
    assert stopped.returncode != 0
    output = stopped.stdout + stopped.stderr
    assert "DBA" in output
    assert "migration.drop-column" in output


def test_an_existing_hook_is_kept_unless_forced(clone: Path) -> None:
    hook = clone / ".git/hooks/pre-push"
    hook.write_text("#!/bin/sh\necho mine\n")
    refused = CliRunner().invoke(cli, ["install-hook", "-C", str(clone)])
    assert refused.exit_code == 2
    assert "pass --force" in refused.output
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    assert CliRunner().invoke(cli, ["install-hook", "--force", "-C", str(clone)]).exit_code == 0
    assert MARKER in hook.read_text()
