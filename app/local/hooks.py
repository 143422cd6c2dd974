"""The pre-push hook: git hands it one line per ref being pushed on stdin,
`<local ref> <local sha> <remote ref> <remote sha>`; each pushed range is checked.

A new branch (remote sha all zeros) is checked against the merge base with the
default branch, as its pull request will be; a deleted ref is skipped.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ZERO = "0" * 40
MARKER = "# written by release-roles install-hook"


@dataclass(frozen=True, slots=True)
class Push:
    local_ref: str
    head: str
    base: str | None  # None: a new branch, compared with the default branch


def pushes(stdin: str) -> list[Push]:
    """The ranges a push sends, from the lines git writes to a pre-push hook."""
    out = []
    for line in stdin.splitlines():
        parts = line.split()
        if len(parts) != 4:
            continue
        local_ref, local_sha, _remote_ref, remote_sha = parts
        if local_sha.strip("0") == "":
            continue  # the remote ref is being deleted: nothing to review
        out.append(Push(local_ref, local_sha, None if remote_sha == ZERO else remote_sha))
    return out


def hook_script(fail_on_required: bool) -> str:
    """The hook, calling this very installation (a venv need not be active to push)."""
    exe = shutil.which("release-roles")
    command = shlex.quote(exe) if exe else f"{shlex.quote(sys.executable)} -m app.cli"
    flag = " --fail-on-required" if fail_on_required else ""
    return f'#!/bin/sh\n{MARKER}\nexec {command} pre-push{flag} "$@"\n'


def install(git_dir: Path, fail_on_required: bool, force: bool) -> Path:
    """Write hooks/pre-push; an existing hook not written by us is kept unless `force`."""
    hook = git_dir / "hooks" / "pre-push"
    if hook.exists() and MARKER not in hook.read_text(errors="replace") and not force:
        raise FileExistsError(f"{hook} exists and is not ours; pass --force to replace it")
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(hook_script(fail_on_required))
    hook.chmod(0o755)
    return hook
