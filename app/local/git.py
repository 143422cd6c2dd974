"""A local checkout as the CLI's source of changed files (the server's is GitHub).

Only this module runs git. Every diff is produced with explicit options so a
user's git config (external diff tools, `diff.noprefix`, colour, quoting)
cannot change what the parser sees.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.detect.base import ChangedFile, FileStatus, split_lines
from app.detect.diff import parse_git_diff

_DIFF = (
    "-c",
    "core.quotePath=false",
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "-M",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
_DEFAULT_BRANCH_GUESSES = ("main", "master", "trunk", "develop")
_ORIGIN_HEAD = "refs/remotes/origin/HEAD"
_BINARY_SNIFF = 8000


class GitError(Exception):
    """git failed or the directory is not a repository; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Range:
    base: str  # a commit
    head: str | None  # a commit, or None for the working tree
    label: str  # what to call it in reports


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            top = self.git("rev-parse", "--show-toplevel").strip()
        except GitError:
            raise GitError(
                f"{path} is not inside a git repository; run from a checkout or pass --diff FILE"
            ) from None
        self.root = Path(top)
        self._blobs: _CatFile | None = None

    def git(self, *args: str, check: bool = True) -> str:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.path,
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        if check and done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise GitError(f"git {' '.join(args)}: {message}")
        return done.stdout.decode("utf-8", "replace")

    def resolve(self, ref: str) -> str:
        out = self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        if not out.strip():
            raise GitError(f"unknown revision {ref!r}; pass a branch, tag or commit")
        return out.strip()

    def default_branch(self) -> str:
        """origin/HEAD's target, else the first of origin/main, main, origin/master, ...
        that exists, all asked in one `git for-each-ref` (a process a guess cost up to
        10 ms of a one-file check)."""
        guesses = [
            ref
            for name in _DEFAULT_BRANCH_GUESSES
            for ref in (f"refs/remotes/origin/{name}", f"refs/heads/{name}")
        ]
        listed = self.git(
            "for-each-ref", "--format=%(refname)%00%(symref:short)", _ORIGIN_HEAD, *guesses
        )
        # a pattern also matches below itself (refs/heads/main/x): keep exact names only
        found = dict(line.split("\0", 1) for line in listed.splitlines() if "\0" in line)
        if found.get(_ORIGIN_HEAD):
            return found[_ORIGIN_HEAD]
        for ref in guesses:
            if ref in found:
                return ref.removeprefix("refs/remotes/").removeprefix("refs/heads/")
        raise GitError(
            "cannot tell the default branch (no origin/HEAD, main or master); pass --base REF"
        )

    def range(self, base: str | None, head: str | None) -> Range:
        head_commit = self.resolve(head) if head else None
        base_ref = base or self.default_branch()
        tip = head_commit or "HEAD"
        # merge-base resolves both names itself; only when it fails is each one asked,
        # to say which is unknown
        merge_base = self.git("merge-base", "--end-of-options", base_ref, tip, check=False).strip()
        if not merge_base:
            self.resolve(tip)
            self.resolve(base_ref)
            raise GitError(f"{base_ref} and {head or 'HEAD'} share no history; pass --base")
        label = f"{base_ref}...{head or 'working tree'}"
        return Range(base=merge_base, head=head_commit, label=label)

    def changed_files(self, span: Range) -> list[ChangedFile]:
        args = [span.base] + ([span.head] if span.head else [])
        files = self._diff(*_DIFF, *args, "--")
        if span.head is None:
            files += self._untracked()
        for changed in files:
            changed.base_loader = self._loader(span.base)
            changed.head_loader = self._loader(span.head)
        return files

    def _diff(self, *args: str) -> list[ChangedFile]:
        """`git diff`, parsed one file at a time as it streams in: the whole output as
        one string (decoded, a single non-ASCII character makes it 4 bytes a character)
        and its split lines peaked at 3x the diff's size on a 480,000-line range."""
        files: list[ChangedFile] = []
        chunk: list[bytes] = []
        # stderr to a file: a pipe nobody reads until stdout ends could fill and stall git
        with tempfile.TemporaryFile() as errors:
            try:
                child = subprocess.Popen(
                    ["git", *args], cwd=self.path, stdout=subprocess.PIPE, stderr=errors
                )
            except FileNotFoundError:
                raise GitError("git is not installed or not on PATH") from None
            with child:
                assert child.stdout is not None
                for line in child.stdout:
                    if line.startswith(b"diff --git ") and chunk:
                        files.extend(_parse(chunk))
                        chunk = []
                    chunk.append(line)
                if chunk:
                    files.extend(_parse(chunk))
            if child.returncode != 0:
                errors.seek(0)
                message = errors.read().decode("utf-8", "replace").strip()
                raise GitError(f"git {' '.join(args)}: {message}")
        return files

    def show(self, ref: str | None, path: str) -> str | None:
        """A file's text at `ref` (None: the working tree), or None if it is not there."""
        if ref is None:
            target = self.root / path
            try:
                return target.read_text("utf-8", errors="replace") if target.is_file() else None
            except OSError:
                return None
        if "\n" in path:  # cat-file's batch protocol is line-based
            out = subprocess.run(
                ["git", "show", f"{ref}:{path}"], cwd=self.root, capture_output=True, check=False
            )
            return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None
        if self._blobs is None:
            self._blobs = _CatFile(self.root)
        data = self._blobs.read(f"{ref}:{path}")
        return data.decode("utf-8", "replace") if data is not None else None

    def close(self) -> None:
        if self._blobs is not None:
            self._blobs.close()
            self._blobs = None

    def _loader(self, ref: str | None) -> _Loader:
        return _Loader(self, ref)

    def _untracked(self) -> list[ChangedFile]:
        names = self.git("ls-files", "--others", "--exclude-standard", "-z").split("\0")
        return [self._untracked_file(name) for name in names if name]

    def _untracked_file(self, name: str) -> ChangedFile:
        """A new file not yet added to git, as the diff would show it once added."""
        try:
            data = (self.root / name).read_bytes()
        except OSError as error:
            return ChangedFile(path=name, status=FileStatus.ADDED, parse_error=str(error))
        if b"\0" in data[:_BINARY_SNIFF]:
            return ChangedFile(path=name, status=FileStatus.ADDED, binary=True)
        lines = split_lines(data.decode("utf-8", "replace"))
        added = list(enumerate(lines, start=1))
        return ChangedFile(path=name, status=FileStatus.ADDED, added=added, additions=len(added))


class _CatFile:
    """One `git cat-file --batch` process for every whole file a run reads: a `git
    show` each cost a process start (about 2.5 ms), and a big range reads hundreds."""

    def __init__(self, root: Path) -> None:
        self._child = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def read(self, spec: str) -> bytes | None:
        """The blob `ref:path` names, or None (missing, or a tree or submodule)."""
        child = self._child
        assert child.stdin is not None
        assert child.stdout is not None
        try:
            child.stdin.write(spec.encode() + b"\n")
            child.stdin.flush()
        except OSError:  # git is gone: say so rather than read the file as missing
            raise GitError("git cat-file stopped answering; run the check again") from None
        header = child.stdout.readline().split()
        if not header:
            raise GitError("git cat-file stopped answering; run the check again")
        if len(header) != 3:  # `<spec> missing` or `ambiguous`
            return None
        data = child.stdout.read(int(header[2]) + 1)[:-1]  # the content, then "\n"
        return data if header[1] == b"blob" else None

    def close(self) -> None:
        child = self._child
        for pipe in (child.stdin, child.stdout):  # closing stdin ends git's input
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):  # git already gone: nothing to flush
                    pipe.close()
        child.wait()

    def __del__(self) -> None:
        # a Repo dropped without close() (a test, a library caller): end git quietly
        self.close()


def _parse(chunk: list[bytes]) -> list[ChangedFile]:
    return parse_git_diff(b"".join(chunk).decode("utf-8", "replace"))


class _Loader:
    """Reads one side of the diff lazily; detectors only ask for files they care about."""

    __slots__ = ("ref", "repo")

    def __init__(self, repo: Repo, ref: str | None) -> None:
        self.repo, self.ref = repo, ref

    def __call__(self, path: str) -> str | None:
        return self.repo.show(self.ref, path)


def read_diff_file(path: str, stdin_text: str | None = None) -> str:
    if path == "-":
        return stdin_text or ""
    try:
        return Path(path).read_text("utf-8", errors="replace")
    except OSError as error:
        raise GitError(f"cannot read diff {path}: {error.strerror}") from None
