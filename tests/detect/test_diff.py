from __future__ import annotations

import pytest

from app.detect.base import FileStatus
from app.detect.diff import DiffError, parse_git_diff, parse_patch
from tests.conftest import FIXTURES, GitRepo


def by_path(text: str) -> dict[str, object]:
    return {f.path: f for f in parse_git_diff(text)}


def test_sample_diff_made_by_real_git() -> None:
    files = by_path((FIXTURES / "diffs" / "sample.diff").read_text())
    assert set(files) == {
        "b.bin",
        "gone.txt",
        "nonl.txt",
        "schema.sql",
        "sp ace.txt",
        "y.txt",
        "ünï.txt",
    }

    binary = files["b.bin"]
    assert binary.binary
    assert not binary.lines_known
    assert binary.added == []

    gone = files["gone.txt"]
    assert gone.status == FileStatus.REMOVED
    assert gone.removed == [(1, "old")]

    no_newline = files["nonl.txt"]
    assert no_newline.removed == [(1, "hello")]
    assert no_newline.added == [(1, "hello")]

    # The removed line "-- created by hand" is written "--- created by hand" in the
    # diff: it must be read as a removed line, not as a file header.
    sql = files["schema.sql"]
    assert sql.removed == [(1, "-- created by hand"), (2, "CREATE TABLE t (id int);")]
    assert sql.added == [(1, "CREATE TABLE t (id bigint);")]

    mode = files["sp ace.txt"]
    assert mode.status == FileStatus.CHANGED
    assert (mode.old_mode, mode.new_mode) == ("100644", "100755")

    renamed = files["y.txt"]
    assert renamed.status == FileStatus.RENAMED
    assert renamed.previous_path == "x.txt"
    assert renamed.added == [(3, "c")]
    assert renamed.removed == []

    quoted = files["ünï.txt"]
    assert quoted.status == FileStatus.ADDED
    assert quoted.added == [(1, "café")]


def test_pure_rename_and_copy(repo: GitRepo) -> None:
    repo.commit({"a/one.py": "x = 1\n" * 20})
    (repo.path / "b").mkdir()
    repo.git("mv", "a/one.py", "b/two.py")
    repo.commit()
    [renamed] = parse_git_diff(repo.diff("HEAD~1", "HEAD"))
    assert (renamed.status, renamed.path, renamed.previous_path) == (
        FileStatus.RENAMED,
        "b/two.py",
        "a/one.py",
    )
    assert renamed.patch is None
    assert renamed.additions == 0


def test_binary_patch_with_binary_flag(repo: GitRepo) -> None:
    repo.commit({"img.png": bytes(range(256)) * 4, "t.txt": "a\n"})
    repo.commit({"img.png": bytes(reversed(range(256))) * 4, "t.txt": "b\n"})
    files = {f.path: f for f in parse_git_diff(repo.diff("--binary", "HEAD~1", "HEAD"))}
    assert files["img.png"].binary
    assert files["t.txt"].added == [(1, "b")]  # parsing resumed after the binary blob


def test_line_numbers_across_hunks(repo: GitRepo) -> None:
    lines = [f"line {i}" for i in range(1, 101)]
    repo.commit({"f.txt": "\n".join(lines) + "\n"})
    lines[4] = "changed 5"
    lines.insert(80, "inserted")
    repo.commit({"f.txt": "\n".join(lines) + "\n"})
    [changed] = parse_git_diff(repo.diff("HEAD~1", "HEAD"))
    assert changed.added == [(5, "changed 5"), (81, "inserted")]
    assert changed.removed == [(5, "line 5")]


def test_github_patch_field_is_parsed_by_the_same_code() -> None:
    # The shape of a `patch` in GET /repos/{o}/{r}/pulls/{n}/files: hunks, no header.
    patch = "@@ -1,3 +1,4 @@\n class A:\n-    x = 1\n+    x = 2\n+    y = 3\n     z = 4\n"
    lines = parse_patch(patch)
    assert lines.added == [(2, "    x = 2"), (3, "    y = 3")]
    assert lines.removed == [(2, "    x = 1")]


def test_patch_with_empty_context_line_stripped_of_its_space() -> None:
    lines = parse_patch("@@ -1,3 +1,3 @@\n a\n\n-b\n+c")
    assert lines.added == [(3, "c")]
    assert lines.removed == [(3, "b")]


@pytest.mark.parametrize(
    "patch",
    ["not a patch", "@@ -1,2 +1,2 @@\n a\n", "@@ -1 +1 @@\n?weird\n"],
)
def test_malformed_patches_raise_with_a_position(patch: str) -> None:
    with pytest.raises(DiffError, match=r"line|ends inside"):
        parse_patch(patch)


def test_malformed_file_in_git_diff_is_kept_and_marked() -> None:
    text = (
        "diff --git a/db/m.sql b/db/m.sql\n--- a/db/m.sql\n+++ b/db/m.sql\n"
        "@@ -1,2 +1,2 @@\n?garbage\n"
        "diff --git a/ok.txt b/ok.txt\n--- a/ok.txt\n+++ b/ok.txt\n@@ -1 +1 @@\n-a\n+b\n"
    )
    broken, ok = parse_git_diff(text)
    assert broken.path == "db/m.sql"
    assert broken.parse_error
    assert not broken.lines_known
    assert ok.added == [(1, "b")]


def test_text_that_is_not_a_diff_is_rejected() -> None:
    with pytest.raises(DiffError, match="expected 'diff --git'"):
        parse_git_diff("hello world\n")


def test_lines_are_split_as_git_splits_them() -> None:
    from app.detect.base import split_lines

    assert split_lines("a\fb\vc\u2028d\x85e\r\nf\n") == ["a\fb\vc\u2028d\x85e", "f"]
    assert split_lines("no newline at the end") == ["no newline at the end"]
    assert split_lines("") == []
    assert split_lines("\n\n") == ["", ""]
    patch = "@@ -1 +1,2 @@\n-old\n+verify=False,\ftimeout=3\n+b\u2028c\n"
    assert parse_patch(patch).added == [(1, "verify=False,\ftimeout=3"), (2, "b\u2028c")]


def test_a_bad_escape_in_a_quoted_path_is_an_unreadable_file_not_a_crash() -> None:
    diff = 'diff --git "a/x\\777" "b/x\\777"\n--- "a/x\\777"\n+++ "b/x\\777"\n@@ -1 +1 @@\n-a\n+b\n'
    [changed] = parse_git_diff(diff)
    assert changed.parse_error == "a quoted path has a bad escape \\777"
    [named] = parse_git_diff(diff.replace("\\777", "\\303\\251"))
    assert (named.path, named.parse_error) == ("x\u00e9", None)


def test_errors_never_quote_the_diffs_content() -> None:
    secret = "+AKIA" + "Z" * 16
    [changed] = parse_git_diff(
        f"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n{secret}\n"
    )
    assert changed.parse_error is not None
    assert "AKIA" not in changed.parse_error
