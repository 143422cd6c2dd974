"""Unified diffs to ChangedFiles: `git diff` output and GitHub's per-file `patch` alike.

GitHub's pulls/files API gives each file's hunks without the `diff --git`
header, so the hunk parser is shared and the git header parser sits on top.
Hunks are read by their line counts, not by prefixes alone, so a removed SQL
comment (`--- note`) is never mistaken for a file header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.detect.base import ChangedFile, FileStatus, split_lines

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NO_NEWLINE = "\\ No newline at end of file"


class DiffError(ValueError):
    """The text is not a diff this parser can read; says where it stopped making sense."""


@dataclass(slots=True)
class HunkLines:
    added: list[tuple[int, str]] = field(default_factory=list)
    removed: list[tuple[int, str]] = field(default_factory=list)


def parse_patch(patch: str) -> HunkLines:
    """Parse one file's hunks (GitHub's `patch` field, or the body of a git diff)."""
    lines = HunkLines()
    rest = _read_hunks(split_lines(patch), 0, lines)
    if rest is not None:
        raise DiffError(f"patch line {rest + 1}: expected a hunk header '@@ -a,b +c,d @@'")
    return lines


def head_view(patch: str) -> dict[int, str]:
    """The head side of a file's hunks, added and context lines at their line numbers
    (what a reader of the diff sees of the file after the change). Never raises: a
    patch that does not parse yields what was read before the fault."""
    view: dict[int, str] = {}
    head_line = 0
    for line in split_lines(patch):
        header = HUNK.match(line)
        if header is not None:
            head_line = int(header.group(3))
        elif head_line and line[:1] in ("+", " "):
            view[head_line] = line[1:]
            head_line += 1
        elif head_line and line == "":
            view[head_line] = ""
            head_line += 1
    return view


def _read_hunks(text: list[str], start: int, out: HunkLines) -> int | None:
    """Read consecutive hunks from `text[start:]`; return the index of the first line
    that is not part of a hunk, or None at the end."""
    i = start
    while i < len(text):
        header = HUNK.match(text[i])
        if header is None:
            if text[i] == _NO_NEWLINE or text[i] == "":
                i += 1
                continue
            return i
        base_line = int(header.group(1))
        base_left = int(header.group(2)) if header.group(2) is not None else 1
        head_line = int(header.group(3))
        head_left = int(header.group(4)) if header.group(4) is not None else 1
        i += 1
        while (base_left > 0 or head_left > 0) and i < len(text):
            line = text[i]
            marker, body = line[:1], line[1:]
            if marker == "+":
                out.added.append((head_line, body))
                head_line += 1
                head_left -= 1
            elif marker == "-":
                out.removed.append((base_line, body))
                base_line += 1
                base_left -= 1
            elif marker == " " or line == "":
                # Some tools strip the single space of an empty context line.
                base_line += 1
                head_line += 1
                base_left -= 1
                head_left -= 1
            elif line == _NO_NEWLINE:
                pass
            else:
                raise DiffError(
                    f"patch line {i + 1}: a line inside a hunk starts with neither ' ', '+' "
                    f"nor '-' ({base_left} base and {head_left} head lines still expected)"
                )
            i += 1
        if base_left > 0 or head_left > 0:
            raise DiffError(
                f"patch ends inside a hunk: {base_left} base and {head_left} head lines missing"
            )
    return None


def parse_git_diff(text: str) -> list[ChangedFile]:
    """Parse the output of `git diff` (any number of files) into ChangedFiles.

    Understands renames, copies, mode changes, new and deleted files, binary
    files (with or without `--binary`) and quoted paths.
    """
    lines = split_lines(text)
    files: list[ChangedFile] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("diff --git "):
            if lines[i].strip() and not files:
                raise DiffError(f"line {i + 1}: expected 'diff --git' to start the diff")
            i += 1
            continue
        try:
            changed, i = _parse_file(lines, i)
        except DiffError as error:
            changed, i = _unreadable(lines, i, error)
        files.append(changed)
    return files


def _unreadable(lines: list[str], start: int, error: DiffError) -> tuple[ChangedFile, int]:
    """Keep a file whose diff is malformed, marked so: losing it would fail open."""
    rest = lines[start][len("diff --git ") :]
    try:
        paths = _split_diff_git(rest)
    except DiffError:  # the header itself is what cannot be read
        paths = None
    path = paths[1] if paths else rest
    end = _skip_binary(lines, start + 1)
    changed = ChangedFile(path=path, status=FileStatus.MODIFIED, parse_error=str(error))
    return changed, end


@dataclass(slots=True)
class _Header:
    """What the lines between `diff --git` and the first hunk say about a file."""

    old_path: str | None
    new_path: str | None
    status: FileStatus = FileStatus.MODIFIED
    old_mode: str | None = None
    new_mode: str | None = None
    binary: bool = False

    def read(self, line: str) -> None:
        if line.startswith("new file mode "):
            self.status, self.new_mode = FileStatus.ADDED, line[len("new file mode ") :]
        elif line.startswith("deleted file mode "):
            self.status, self.old_mode = FileStatus.REMOVED, line[len("deleted file mode ") :]
        elif line.startswith("old mode "):
            self.old_mode = line[len("old mode ") :]
        elif line.startswith("new mode "):
            self.new_mode = line[len("new mode ") :]
        elif line.startswith(("rename from ", "copy from ")):
            self.old_path = _unquote(line.split(" from ", 1)[1])
        elif line.startswith(("rename to ", "copy to ")):
            self.new_path = _unquote(line.split(" to ", 1)[1])
            self.status = FileStatus.RENAMED if line.startswith("rename") else FileStatus.COPIED
        elif line.startswith("--- "):
            self.old_path = _strip_prefix(line[4:], "a/") or self.old_path
        elif line.startswith("+++ "):
            self.new_path = _strip_prefix(line[4:], "b/") or self.new_path


def _read_header(lines: list[str], start: int) -> tuple[_Header, int]:
    header_paths = _split_diff_git(lines[start][len("diff --git ") :])
    header = _Header(*(header_paths or (None, None)))
    i = start + 1
    while i < len(lines) and not lines[i].startswith(("diff --git ", "@@ ")):
        line = lines[i]
        i += 1
        if line.startswith("Binary files ") or line == "GIT binary patch":
            header.binary = True
            i = _skip_binary(lines, i)
        else:
            header.read(line)
    if header.new_path is None and header.old_path is None:
        raise DiffError(f"line {start + 1}: cannot tell which file this diff is for")
    return header, i


def _parse_file(lines: list[str], start: int) -> tuple[ChangedFile, int]:
    header, i = _read_header(lines, start)
    path = header.new_path or header.old_path
    assert path is not None
    hunks = HunkLines()
    end = _read_hunks(lines, i, hunks) if i < len(lines) and lines[i].startswith("@@ ") else i
    end = len(lines) if end is None else end
    if end < len(lines) and not lines[end].startswith("diff --git "):
        raise DiffError(f"line {end + 1}: a line after the hunks is not part of the diff")
    status = header.status
    only_mode = header.old_mode is not None and not (hunks.added or hunks.removed or header.binary)
    if status == FileStatus.MODIFIED and only_mode:
        status = FileStatus.CHANGED
    moved = status in (FileStatus.RENAMED, FileStatus.COPIED) and header.old_path != path
    changed = ChangedFile(
        path=path,
        status=status,
        previous_path=header.old_path if moved else None,
        added=hunks.added,
        removed=hunks.removed,
        patch="\n".join(lines[i:end]) if not header.binary and end > i else None,
        binary=header.binary,
        additions=len(hunks.added),
        deletions=len(hunks.removed),
        old_mode=header.old_mode,
        new_mode=header.new_mode,
    )
    return changed, end


def _skip_binary(lines: list[str], start: int) -> int:
    i = start
    while i < len(lines) and not lines[i].startswith("diff --git "):
        i += 1
    return i


def _strip_prefix(name: str, prefix: str) -> str | None:
    name = name.rstrip("\t")
    if name == "/dev/null":
        return None
    name = _unquote(name)
    return name[len(prefix) :] if name.startswith(prefix) else name


def _split_diff_git(rest: str) -> tuple[str, str] | None:
    """Split `a/x b/y` (either side possibly quoted) into ("x", "y")."""
    if rest.startswith('"'):
        first, remainder = _take_quoted(rest)
        second = remainder.lstrip(" ")
        second = _unquote(second)
        return _drop(first, "a/"), _drop(second, "b/")
    # Unquoted: the two names are equal unless renamed, in which case the
    # rename lines give the real names; split where " b/" leaves equal halves.
    if rest.endswith('"'):
        idx = rest.rfind(' "')
        return _drop(rest[:idx], "a/"), _drop(_unquote(rest[idx + 1 :]), "b/")
    candidates = [m.start() for m in re.finditer(" b/", rest)]
    for idx in candidates:
        left, right = rest[:idx], rest[idx + 1 :]
        if left[2:] == right[2:]:
            return _drop(left, "a/"), _drop(right, "b/")
    if candidates:
        idx = candidates[0]
        return _drop(rest[:idx], "a/"), _drop(rest[idx + 1 :], "b/")
    return None


def _drop(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) else name


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f"}
_ESCAPES |= {"r": "\r", "v": "\v"}
_OCTAL = re.compile(r"[0-7]{1,3}")


def _take_quoted(text: str) -> tuple[str, str]:
    """Read a C-quoted string at the start of `text`; return (value, rest)."""
    out = bytearray()
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return out.decode("utf-8", "replace"), text[i + 1 :]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "01234567":
                digits = _OCTAL.match(text, i + 1)
                assert digits is not None  # nxt itself is one
                value = int(digits.group(), 8)
                if value > 0xFF:
                    raise DiffError(f"a quoted path has a bad escape \\{digits.group()}")
                out.append(value)
                i = digits.end()
                continue
            out.extend(_ESCAPES.get(nxt, nxt).encode())
            i += 2
            continue
        out.extend(ch.encode())
        i += 1
    raise DiffError("a quoted path is not terminated")


def _unquote(name: str) -> str:
    """git quotes paths with unusual characters in C style."""
    if name.startswith('"'):
        value, _rest = _take_quoted(name)
        return value
    return name
