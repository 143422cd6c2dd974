"""Head texts rebuilt from base text and patch, checked against git's blob SHA:
cases written with difflib and git's own diff output, and random edits."""

from __future__ import annotations

import difflib
import random
import subprocess
from pathlib import Path

import pytest

from app.detect.patching import apply_patch, git_blob_sha, new_text


def git_patch(tmp_path: Path, old: str, new: str) -> str:
    """What git diff (and so GitHub's `patch`) writes for this change: hunks only."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(old.encode())
    b.write_bytes(new.encode())
    run = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", str(a), str(b)], capture_output=True
    )
    out = run.stdout.decode()  # as bytes: a "\r" stays in its line, as in GitHub's JSON
    return out.split("\n", 4)[4] if out.count("\n") >= 4 else ""


def test_git_names_a_blob_by_its_content() -> None:
    assert git_blob_sha("hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb\nc\n", "a\nb\nc\nd\n"),  # appended
        ("a\nb\nc\n", "z\na\nb\nc\n"),  # prepended
        ("a\nb\nc", "a\nb\nc\n"),  # gains its final newline
        ("a\nb\nc\n", "a\nb\nc"),  # loses it
        ("a\nb", "a\nc"),  # neither side has one
        ("one\r\ntwo\r\n", "one\r\n2\r\n"),  # CRLF kept
        ("\n".join(map(str, range(100))) + "\n", "\n".join(map(str, range(1, 101))) + "\n"),
    ],
)
def test_a_git_patch_applied_is_the_new_file_exactly(tmp_path: Path, old: str, new: str) -> None:
    patch = git_patch(tmp_path, old, new)
    assert new_text(old, patch, git_blob_sha(new)) == new


def test_random_edits_rebuild_exactly(tmp_path: Path) -> None:
    rng = random.Random(7)
    for _ in range(60):
        old_lines = [f"line {rng.randrange(30)}" for _ in range(rng.randrange(1, 60))]
        new_lines = list(old_lines)
        for _ in range(rng.randrange(1, 6)):
            where = rng.randrange(len(new_lines) + 1)
            action = rng.choice(("add", "drop", "edit"))
            if action == "add" or not new_lines:
                new_lines.insert(where, f"new {rng.randrange(99)}")
            elif action == "drop":
                new_lines.pop(min(where, len(new_lines) - 1))
            else:
                new_lines[min(where, len(new_lines) - 1)] += " changed"
        old = "\n".join(old_lines) + rng.choice(("\n", ""))
        new = "\n".join(new_lines) + rng.choice(("\n", ""))
        patch = git_patch(tmp_path, old, new)
        assert new_text(old, patch, git_blob_sha(new)) == new, (old, new, patch)


def test_a_patch_that_does_not_fit_or_a_wrong_hash_is_no_answer() -> None:
    patch = "\n".join(difflib.unified_diff(["a", "b"], ["a", "c"], lineterm="", n=1))
    hunks = patch.split("\n", 2)[2]
    assert apply_patch("x\ny\n", hunks) is None  # the context is not there
    assert new_text("a\nb\n", hunks, "0" * 40) is None  # not the file GitHub named
    assert apply_patch("a\nb\n", "not a hunk") is None
