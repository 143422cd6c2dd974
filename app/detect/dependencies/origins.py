"""Where a lockfile fetches each package from, compared base to head.

Lockfile injection: a pull request edits `resolved` in package-lock.json or yarn.lock
(or a pnpm tarball) so that a package is fetched from another host, or as another
package's tarball, at the version already locked. No version moves, nothing in a
manifest changes, and reviewers skim lockfile diffs, so a check that reads versions
says nothing. lockfile-lint validates a whole file against an allowed list of hosts;
this compares base to head and needs no list: the hosts the base already fetched
from, and the ecosystem's public registry, are the ones trusted.

Every finding here is `dependency.source-changed` (security's built-in role answers
to it), never lowered for transitive or development-only packages — an injected
package is usually a transitive one, and development tools run with CI's secrets:

- packages fetched from a host the lockfile did not use before: medium, one finding
  per host (a registry moved to a mirror is one decision, read once);
- the same version fetched from another address (another package's tarball on the
  same registry, a git repository): medium, and a registry tarball whose file does not
  name its package and version is one too;
- the same version from the same address with another digest: high (a registry never
  republishes a version, so it is other code). Digests are compared only by an
  algorithm both sides use: npm moving an entry from sha1 to sha512 is not a change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from app.detect.base import Change, Finding, Kind, Severity
from app.detect.dependencies.changes import SOURCE_CHANGED
from app.detect.dependencies.parsers.common import Dep, Parsed
from app.detect.dependencies.sources import local, remote_source

# yarn's registry host serves npm's registry under another name
_ALIASES = {"registry.yarnpkg.com": "registry.npmjs.org"}
_REGISTRIES = {
    "gem": {"rubygems.org"},
    "hex": {"hexpm"},
    "composer": {"github.com", "api.github.com", "git:github.com", "repo.packagist.org"},
    "npm": {"registry.npmjs.org"},
    "cargo": {"registry:github.com", "sparse:index.crates.io"},
    "pypi": {"pypi.org", "files.pythonhosted.org"},
}
_GIT = re.compile(r"^(?:git\+|git@|git://|(?:github|gitlab|bitbucket):)", re.IGNORECASE)
# `…/<name>/-/<file>.tgz`, npm's registry layout (also behind a mirror's path prefix)
_TARBALL = re.compile(r"(?P<package>(?:@[^/]+/)?[^/@][^/]*)/-/(?P<file>[^/]+)\.tgz$")
_SHOWN = 3
_NAMED_DIGEST = re.compile(r"^(sha\d*|md5|blake\w*|commit)[:=-](.+)$")
_ESCAPED = re.compile(r"%([0-9A-Fa-f]{2})")  # `@scope%2fname`: npm escapes a scope's slash


def address(origin: str) -> str:
    """`origin` without what varies but names the same code: its user part (a token),
    query and fragment (yarn's `#sha1`), yarn's alias of npm's registry; git
    repositories however spelt (`git:github.com/o/r`)."""
    text = origin.strip().split("#", 1)[0].split("?", 1)[0]
    if _GIT.match(text):
        return f"git:{remote_source(text) or text}"
    scheme, colons, rest = text.partition("://")
    if not colons:
        return text  # `npm:other@1` (berry's alias), a path: as written
    netloc, slash, path = rest.partition("/")
    host = netloc.rpartition("@")[2].lower()
    host = _ALIASES.get(host, host)
    return f"{scheme.lower()}://{host}{slash}{_ESCAPED.sub(_unescape, path)}" if host else text


def _unescape(found: re.Match[str]) -> str:
    return chr(int(found.group(1), 16))


def host(origin: str) -> str:
    """The host an address is fetched from, with how: `registry.npmjs.org`,
    `git:github.com` (a repository), `registry:github.com` (Cargo's index there)."""
    if origin.startswith("npm:"):  # yarn berry's alias: another package, same registry
        return "registry.npmjs.org"
    where = address(origin)
    if where.startswith("git:"):
        return "git:" + where[4:].split("/", 1)[0]
    scheme, _, rest = where.partition("://")
    kind = scheme.partition("+")[0] if "+" in scheme else ""
    return f"{kind}:{rest.split('/', 1)[0]}" if kind else rest.split("/", 1)[0] or where


def _hosts(deps: Iterable[Dep]) -> set[str]:
    """The hosts `deps` are fetched from (an https URL read up to its host, once per
    host: a lockfile holds thousands of addresses on a handful of hosts)."""
    origins = {origin for dep in deps for origin in (dep.origin or "").split()}
    web = {"/".join(o.split("/", 3)[:3]) for o in origins if o.startswith("https://")}
    return {host(o) for o in web} | {host(o) for o in origins if not o.startswith("https://")}


def addresses(dep: Dep) -> set[str]:
    """Every address `dep` is fetched from (a uv package lists its sdist and wheels)."""
    return {address(origin) for origin in (dep.origin or "").split()}


def origin_findings(file: str, ecosystem: str, before: Parsed, after: Parsed) -> list[Finding]:
    """Findings for packages `after` fetches from another place, or as other code, than
    `before` did (both one lockfile's parsed sides)."""
    trusted = _REGISTRIES.get(ecosystem, set()) | _hosts(before.values())
    # by version, not by key: a copy that became the primary one (or the reverse)
    # is still that version, with that version's address and digest
    locked = {(dep.name, dep.version): dep for dep in before.values()}
    # packages the base already fetched as another one's file (yarn `resolutions`
    # to a fork, `npm:` aliases): that fork's next version is no new source
    stand_ins = {  # (a package's own registry path, `/name/-/`, is the common case)
        (dep.name, _stand_in(dep))
        for dep in before.values()
        if dep.origin and f"/{dep.name}/-/" not in dep.origin and _stand_in(dep)
    }
    strangers: dict[str, list[Dep]] = {}
    findings: list[Finding] = []
    for new in after.values():
        old = locked.get((new.name, new.version))
        if old is not None and (old.origin, old.digest) == (new.origin, new.digest):
            continue  # as it was (most of a lockfile): nothing to compare
        if new.origin is not None and local(new.origin):
            continue  # a tarball in the repository, rebuilt by its own change
        known = addresses(old) if old is not None else set()
        now = addresses(new)
        fresh = now - known
        moved = _moved(old, known, now)
        # any address the entry did not have, on a host the lockfile did not use: a git
        # source written beside the files it had is where uv fetches from then
        unknown = {host(where) for where in fresh} - trusted
        for where in sorted(unknown):
            strangers.setdefault(where, []).append(new)
        moved_away = moved and (new.name, _stand_in(new)) not in stand_ins
        if not unknown and (
            finding := _same_version_elsewhere(file, ecosystem, old, new, moved_away)
        ):
            findings.append(finding)
    return [_new_host(file, ecosystem, where, deps) for where, deps in strangers.items()] + (
        findings
    )


def _moved(old: Dep | None, known: set[str], now: set[str]) -> bool:
    """Whether the entry is fetched from an address `old` (at `known`) was not, in
    place of one it was (a file added beside the others, as PyPI allows for a release,
    is no move; an entry that no longer records an address is fetched from the
    configured registry, as npm writes it with `omit-lockfile-registry-resolved`: not
    a move either; one that had none now has one to compare)."""
    if not now:
        return False
    if old is None or old.origin is None:
        return True
    return bool(known - now) and bool(now - known)


def _same_version_elsewhere(
    file: str, ecosystem: str, old: Dep | None, new: Dep, moved: bool
) -> Finding | None:
    """`new` fetched as another package's file, or — `old` being the same version
    at the base — from another address, or with another digest."""
    found = _what_changed(old, new, moved)
    if found is None:
        return None
    severity, what = found
    return Finding.for_line(
        Kind.DEPENDENCY,
        file,
        new.line,
        severity,
        SOURCE_CHANGED,
        f"{new.name} {new.version} {what} ({ecosystem}, lockfile)",
        ecosystem=ecosystem,
        package=new.name,
        from_version=old.version if old else None,
        to_version=new.version,
        change=Change.OTHER,
    )


def _what_changed(old: Dep | None, new: Dep, moved: bool) -> tuple[Severity, str] | None:
    if moved and (first := _first(new)) and (wrong := _misnamed(new, first)):
        return Severity.MEDIUM, f"is fetched as {wrong}, another package"
    if old is None:
        return None  # a new package or version: its address is new too
    # an entry without an address (npm's bundled packages, `resolved` left out) was
    # fetched from the registry or inside its parent: its own tarball there is no move
    if moved and old.origin is not None:
        now = sorted(addresses(new) - addresses(old))[0]
        was = ", ".join(sorted(addresses(old) - addresses(new)))
        return Severity.MEDIUM, f"at the same version is fetched from {now} (was {was})"
    if changed := _digest_changed(old.digest, new.digest):
        return Severity.HIGH, (
            f"at the same version from the same place has another {changed} digest: "
            "a registry never republishes a version, so this is other code"
        )
    return None


def _misnamed(dep: Dep, origin: str) -> str | None:
    """What `dep` is fetched as, when that is another package: a registry tarball
    that is not its own, or yarn berry's alias (`npm:esm-wallaby`)."""
    if origin.startswith("npm:"):
        other = origin[4:]
        return None if other.lower() == dep.name.lower() else f"{other} (an alias)"
    if origin.endswith(f"/{dep.name}/-/{dep.name.rpartition('/')[2]}-{dep.version}.tgz"):
        return None  # its own, as npm writes it (most entries: no need to parse)
    found = _TARBALL.search(address(origin))
    if found is None:
        return None
    package, name = found.group("package"), dep.name.lower()
    unscoped = name.rpartition("/")[2]
    file = found.group("file").lower()
    if package.lower() == name and file == f"{unscoped}-{dep.version.lower()}":
        return None
    return f"{package}/-/{found.group('file')}.tgz"


def _stand_in(dep: Dep) -> str | None:
    """The other package whose registry tarball `dep` is fetched as, if any."""
    first = _first(dep)
    if first is None or _misnamed(dep, first) is None:
        return None
    if first.startswith("npm:"):
        return first[4:].lower()
    found = _TARBALL.search(address(first))
    return found.group("package").lower() if found else None


def _first(dep: Dep) -> str | None:
    """The first address `dep` is fetched from (None for none, or a blank one)."""
    parts = (dep.origin or "").split()
    return parts[0] if parts else None


def _digest_changed(old: str | None, new: str | None) -> str | None:
    """The algorithm whose digests differ between `old` and `new`: one the head has
    in place of one the base had (a file added beside the others is no change), by an
    algorithm both record."""
    before, after = _digests(old), _digests(new)
    for algorithm in sorted(before.keys() & after.keys()):
        if before[algorithm] - after[algorithm] and after[algorithm] - before[algorithm]:
            return algorithm
    return None


def _digests(text: str | None) -> dict[str, set[str]]:
    """npm's `sha512-… sha1-…` (subresource integrity), `sha256:…` (uv, Poetry), yarn
    berry's `10c0/…` (by cache key), a bare hex checksum (Cargo's sha256), `commit:…`
    (the commit a Composer version's tag names)."""
    out: dict[str, set[str]] = {}
    for token in (text or "").split():
        named = _NAMED_DIGEST.match(token)  # sha512-…, sha256:…, sha256=…, commit:…
        algorithm, value = named.groups() if named else ("", token)
        if not named:
            key, slash, value = token.partition("/")
            algorithm = f"cache key {key}" if slash else "sha256"
            value = value if slash else token
        out.setdefault(algorithm, set()).add(value)
    return out


def _new_host(file: str, ecosystem: str, where: str, deps: list[Dep]) -> Finding:
    names = _listed(f"{dep.name} {dep.version}" for dep in deps)
    count = f"{len(deps)} package{'s' if len(deps) != 1 else ''}"
    return Finding.for_line(
        Kind.DEPENDENCY,
        file,
        deps[0].line,
        Severity.MEDIUM,
        SOURCE_CHANGED,
        f"{count} now fetched from {_shown(where)}, a host this lockfile did not fetch from "
        f"before ({ecosystem}): {names}",
        ecosystem=ecosystem,
        package=deps[0].name if len(deps) == 1 else None,
        change=Change.OTHER,
        extra={"host": where, "packages": tuple(dep.name for dep in deps)},
    )


def _shown(where: str) -> str:
    """`github.com (git)` for `git:github.com`."""
    kind, colon, name = where.partition(":")
    return f"{name} ({kind})" if colon else where


def _listed(names: Iterable[str]) -> str:
    shown = list(names)
    more = len(shown) - _SHOWN
    return ", ".join(shown[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def go_sum_findings(file: str, base: str, head: str) -> list[Finding]:
    """go.sum: a module version whose hash the change replaces. Go's checksum database
    would refuse it for a public module, but a private one (GOPRIVATE, GONOSUMDB) has
    only this file to say what code a version is."""
    before = _go_sums(base)
    findings = []
    for number, key, digest in _go_sum_lines(head):
        if before.get(key, digest) != digest:
            module, version = key
            findings.append(
                Finding.for_line(
                    Kind.DEPENDENCY,
                    file,
                    number,
                    Severity.HIGH,
                    SOURCE_CHANGED,
                    f"{module} {version} has another hash at the same version (golang, "
                    "go.sum): a module version never changes, so this is other code",
                    ecosystem="golang",
                    package=module,
                    from_version=version,
                    to_version=version,
                    change=Change.OTHER,
                )
            )
    return findings


def _go_sums(text: str) -> dict[tuple[str, str], str]:
    return {key: digest for _, key, digest in _go_sum_lines(text)}


def _go_sum_lines(text: str) -> Iterator[tuple[int, tuple[str, str], str]]:
    """(line, (module, version or version/go.mod), hash) of each well-formed line."""
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if len(parts) == 3 and parts[2].startswith("h1:"):
            yield number, (parts[0], parts[1]), parts[2]
