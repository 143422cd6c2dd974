"""The CLI's source of changed files, on real git repositories made per test."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.detect.base import FileStatus
from app.local.git import GitError, Repo, read_diff_file
from app.local.resolve import local_resolver
from app.policy.loading import ExtendsError


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        check=True,
        text=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "app.py").write_text("one\ntwo\n")
    (tmp_path / "old_name.sql").write_text("SELECT 1;\n" * 20)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (tmp_path / "app.py").write_text("one\ntwo\nthree\n")
    git(tmp_path, "mv", "old_name.sql", "new_name.sql")
    git(tmp_path, "commit", "-q", "-am", "change")
    return tmp_path


def test_a_range_from_the_default_branch_and_its_files(repo: Path) -> None:
    checkout = Repo(repo)
    span = checkout.range(None, "HEAD")
    assert span.label == "main...HEAD"
    files = {f.path: f for f in checkout.changed_files(span)}
    assert files["app.py"].added == [(3, "three")]
    renamed = files["new_name.sql"]
    assert (renamed.status, renamed.previous_path) == (FileStatus.RENAMED, "old_name.sql")
    # whole files are read lazily, at the merge base and at head
    assert files["app.py"].base_text() == "one\ntwo\n"
    assert files["app.py"].head_text() == "one\ntwo\nthree\n"


def test_the_working_tree_includes_untracked_and_binary_files(repo: Path) -> None:
    (repo / "notes.txt").write_text("a\nb\n")
    (repo / "blob.bin").write_bytes(b"\0\1\2")
    checkout = Repo(repo)
    files = {f.path: f for f in checkout.changed_files(checkout.range("main", None))}
    assert files["notes.txt"].status == FileStatus.ADDED
    assert files["notes.txt"].added == [(1, "a"), (2, "b")]
    assert files["blob.bin"].binary
    assert files["notes.txt"].head_text() == "a\nb\n"


def test_a_users_git_config_does_not_change_the_diff(repo: Path) -> None:
    git(repo, "config", "diff.noprefix", "true")
    git(repo, "config", "diff.mnemonicPrefix", "true")
    checkout = Repo(repo)
    paths = {f.path for f in checkout.changed_files(checkout.range("main", "HEAD"))}
    assert paths == {"app.py", "new_name.sql"}


def test_errors_say_what_to_do(tmp_path_factory: pytest.TempPathFactory, repo: Path) -> None:
    plain = tmp_path_factory.mktemp("plain")
    with pytest.raises(GitError, match="not inside a git repository"):
        Repo(plain)
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        Repo(repo).range("nope", None)
    with pytest.raises(GitError, match="cannot read diff"):
        read_diff_file(str(plain / "missing.diff"))
    assert read_diff_file("-", "stdin text") == "stdin text"


def test_the_default_branch_must_be_found(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "topic")
    (tmp_path / "x").write_text("x\n")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "x")
    with pytest.raises(GitError, match="pass --base REF"):
        Repo(tmp_path).range(None, None)


def test_the_default_branch_is_origins_head_then_the_usual_names(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    main = git(repo, "rev-parse", "main").strip()
    git(repo, "branch", "master/topic")  # below a guessed name: not the branch itself
    git(repo, "update-ref", "refs/remotes/origin/master", main)
    assert Repo(repo).default_branch() == "main"  # a local main before origin's master
    git(repo, "update-ref", "refs/remotes/origin/main", main)
    assert Repo(repo).default_branch() == "origin/main"
    git(repo, "update-ref", "refs/remotes/origin/trunk", head)
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    checkout = Repo(repo)
    assert checkout.default_branch() == "origin/trunk"
    assert checkout.range(None, None).base == head


def test_a_range_says_which_name_is_unknown_or_unrelated(repo: Path) -> None:
    with pytest.raises(GitError, match="unknown revision 'gone'"):
        Repo(repo).range("main", "gone")
    git(repo, "checkout", "-q", "--orphan", "island")
    git(repo, "commit", "-q", "-m", "unrelated")
    with pytest.raises(GitError, match="main and HEAD share no history"):
        Repo(repo).range("main", None)
    with pytest.raises(GitError, match="unknown revision '--output=x'"):
        Repo(repo).range("--output=x", None)


def test_extends_in_the_cli_reads_local_files(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text("version: 1\n")
    resolve = local_resolver(None)
    assert resolve("org.yml", str(tmp_path / "release-roles.yml"))[0] == "version: 1\n"
    with pytest.raises(ExtendsError, match="pass --extends-path"):
        resolve("acme/.github", str(tmp_path / "release-roles.yml"))
    copy = local_resolver(str(tmp_path / "org.yml"))
    assert copy("acme/.github", "x")[1] == str(tmp_path / "org.yml")
    with pytest.raises(ExtendsError, match="cannot read"):
        resolve("missing.yml", str(tmp_path / "release-roles.yml"))


def test_the_streamed_diff_parses_as_the_whole_text_does(repo: Path) -> None:
    """changed_files reads git's output file by file; the result is what parsing the
    whole output at once gives, binary and non-ASCII files and renames included."""
    from app.detect.diff import parse_git_diff
    from app.local.git import _DIFF

    (repo / "blob.bin").write_bytes(b"\0\1\2diff --git a/x b/x\n")
    (repo / "locale.po").write_text('msgid "x"\nmsgstr "ß 中文"\n', encoding="utf-8")
    (repo / "app.py").write_text("one\n+two\n- three\ndiff --git a/fake b/fake\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    checkout = Repo(repo)
    span = checkout.range("main", "HEAD")
    whole = parse_git_diff(checkout.git(*_DIFF, span.base, span.head or "HEAD", "--"))
    streamed = checkout.changed_files(span)
    shape = [(f.path, f.status, f.added, f.removed, f.binary, f.patch) for f in whole]
    assert [(f.path, f.status, f.added, f.removed, f.binary, f.patch) for f in streamed] == shape
    assert {f.path for f in streamed} >= {"blob.bin", "locale.po", "app.py", "new_name.sql"}


def test_a_failing_diff_is_an_error_not_an_empty_change(repo: Path) -> None:
    checkout = Repo(repo)
    with pytest.raises(GitError, match="git diff"):
        checkout._diff("diff", "no-such-ref-at-all", "--")


def test_whole_files_come_through_one_cat_file_process(repo: Path) -> None:
    (repo / "no_newline.txt").write_bytes(b"last line without newline")
    (repo / "dir").mkdir()
    (repo / "dir" / "inner.txt").write_text("x\n")
    (repo / "empty.txt").write_text("")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "files")
    checkout = Repo(repo)
    assert checkout.show("HEAD", "no_newline.txt") == "last line without newline"
    assert checkout.show("HEAD", "empty.txt") == ""
    assert checkout.show("HEAD", "dir") is None  # a tree is no file
    assert checkout.show("HEAD", "missing.txt") is None
    assert checkout.show("main", "app.py") == "one\ntwo\n"
    for _ in range(50):  # the same process answers in order
        assert checkout.show("HEAD", "dir/inner.txt") == "x\n"
    blobs = checkout._blobs
    assert blobs is not None
    checkout.close()
    assert blobs._child.returncode == 0


def test_a_cat_file_that_died_is_an_error_not_a_missing_file(repo: Path) -> None:
    checkout = Repo(repo)
    assert checkout.show("HEAD", "app.py") is not None
    blobs = checkout._blobs
    assert blobs is not None
    blobs._child.kill()
    blobs._child.wait()
    with pytest.raises(GitError, match="cat-file"):
        checkout.show("HEAD", "app.py")
    checkout.close()
