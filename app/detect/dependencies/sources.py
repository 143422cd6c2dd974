"""Where a dependency's code comes from, when a requirement names a source instead of
a version or range: a URL or git repository (pip's `name @ git+https://…`, npm's
`git+ssh://…`, `github:owner/repo`, `owner/repo#ref`), an archive, or npm's alias of
another package (`npm:other@^1`). Moving a package to another source is a new
publisher to trust, as much as a package added; moving the ref of the same repository
is not (its versions are the source's own). A local path (`file:`, `link:`,
`workspace:`, `./pkg`) is the repository's own code, reviewed in the same change.
"""

from __future__ import annotations

import re

_REMOTE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|git\+|git@|(?:github|gitlab|bitbucket|gist|npm):"
    r"|[a-z0-9][a-z0-9_.-]*/[a-z0-9_.-]+(?:#\S*)?$)",
    re.IGNORECASE,
)
_LOCAL = re.compile(r"^(?:file|link|workspace|portal|path):|^\.{0,2}/", re.IGNORECASE)
# `git+https://host/org/repo.git@v1.2` -> the ref after the path; `user@host` is not one
_REF = re.compile(r"^(?P<root>[a-z][a-z0-9+.-]*://[^/]+/[^@]*)@[^/]*$", re.IGNORECASE)
# npm's and pip's spellings of one repository: `github:o/r` and `o/r` (npm's default
# host), `git@github.com:o/r` (scp), `ssh://git@github.com/o/r`, `https://github.com/o/r`
_SHORTHAND = re.compile(r"^(?:(?P<host>github|gitlab|bitbucket):)?(?P<path>[^:/@]+/[^:/@]+)$")
_SHORTHAND_HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}
_SCP = re.compile(r"^[^@/:]+@(?P<host>[^:/]+):(?P<path>.+)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?")
# An archive's name changes with every version (`…/archive/v1.2.tar.gz`, PyPI's hashed
# paths): the trust is in the host, or the repository on a code host.
_ARCHIVE = re.compile(r"^(?P<host>[^/]+)/(?P<path>.*)\.(?:tar\.gz|tgz|tar\.bz2|zip|whl)$")
_CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeload.github.com"}


def remote_source(spec: str) -> str | None:
    """The source `spec` names as host and path, without its ref (`#v2`, `@main`) or the
    way it is spelt (`github:o/r`, `o/r`, `git+ssh://git@github.com/o/r.git` are one);
    None for a version, a range or a local path."""
    spec = spec.strip()
    if local(spec) or not _REMOTE.match(spec):
        return None
    root = spec.split("#", 1)[0].split("?", 1)[0].removeprefix("git+").lower()
    if root.startswith("npm:"):  # npm:@scope/name@^1 -> the package it names
        name = root[4:]
        at = name.rfind("@")
        return "npm:" + (name[:at] if at > 0 else name)
    if ref := _REF.match(root):
        root = ref.group("root")
    if shorthand := _SHORTHAND.match(root):
        host = _SHORTHAND_HOSTS[shorthand.group("host") or "github"]
        root = f"{host}/{shorthand.group('path')}"
    elif scp := _SCP.match(root):  # git@github.com:o/r
        root = f"{scp.group('host')}/{scp.group('path')}"
    else:  # scheme://user@host/path -> host/path
        root = _SCHEME.sub("", root)
    root = root.removesuffix(".git").rstrip("/")
    if archive := _ARCHIVE.match(root):  # a release archive: its host, or its repository
        host, path = archive.group("host"), archive.group("path").split("/")
        return "/".join([host, *path[:2]]) if host in _CODE_HOSTS else host
    return root


def local(spec: str) -> bool:
    """A path in the repository (`file:components/pkg-1.0.0.tgz`, `link:../lib`)."""
    return bool(_LOCAL.match(spec.strip()))


def new_source(before: str, after: str) -> bool:
    """`after` names a remote source that `before` did not."""
    source = remote_source(after)
    return source is not None and source != remote_source(before)
