"""A file's new text from its old text and its patch, checked by git's own name for
it. GitHub's file list gives each changed file's patch and the blob SHA of its new
version: when the patch applied to the base text hashes to that SHA, the result is the
head text byte for byte, and no request for it is needed. Any doubt (a hunk that does
not fit, a hash that differs) answers None, and the text is fetched. Pure."""

from __future__ import annotations

import hashlib

from app.detect.diff import HUNK


def git_blob_sha(text: str) -> str:
    """The SHA-1 git names a file by: of `blob <size>\\0` and its bytes."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def new_text(old: str, patch: str, blob: str) -> str | None:
    """`old` with `patch` applied, if that is exactly the file named `blob`."""
    applied = apply_patch(old, patch)
    if applied is None or git_blob_sha(applied) != blob:
        return None
    return applied


def apply_patch(old: str, patch: str) -> str | None:
    """The unified diff `patch` (hunks only, as GitHub gives it) applied to `old`;
    None when a hunk's context or removed lines are not what `old` has there."""
    before = old.split("\n")
    out: list[str] = []
    at = 0  # the next line of `before` not yet copied
    lines = patch.split("\n")
    index = 0
    ends: dict[str, bool] = {}  # which side a "\ No newline at end of file" was about
    while index < len(lines):
        found = HUNK.match(lines[index])
        if found is None:
            if lines[index] == "" and index == len(lines) - 1:
                break
            return None
        start, count = int(found.group(1)), int(found.group(2) or 1)
        first = start - 1 if count else start  # an empty old side inserts after `start`
        if first < at or first > len(before):
            return None
        out.extend(before[at:first])
        at = first
        index, at = _hunk(lines, index + 1, before, at, out, ends)
        if index < 0:
            return None
    out.extend(before[at:])
    return _line_ends(out, ends)


def _hunk(
    lines: list[str], index: int, before: list[str], at: int, out: list[str], ends: dict[str, bool]
) -> tuple[int, int]:
    """One hunk's body; (-1, at) when it does not fit `before`."""
    last = ""
    while index < len(lines) and not lines[index].startswith("@@"):
        line = lines[index]
        mark, body = line[:1], line[1:]
        if mark in (" ", "-"):
            if at >= len(before) or before[at] != body:
                return -1, at
            if mark == " ":
                out.append(body)
            at += 1
        elif mark == "+":
            out.append(body)
        elif mark == "\\":
            ends["new" if last in ("+", " ") else "old"] = True
            if last == " ":
                ends["old"] = True
        elif line == "" and index == len(lines) - 1:
            break
        else:
            return -1, at
        last = mark or last
        index += 1
    return index, at


def _line_ends(out: list[str], ends: dict[str, bool]) -> str:
    """The new text's last line ends as the markers say: without a newline when the
    new side had the marker, with one when only the old side had it."""
    if ends.get("new"):
        while out and out[-1] == "":
            out.pop()
    elif ends.get("old") and (not out or out[-1] != ""):
        out.append("")
    return "\n".join(out)
