"""npm: package.json, package-lock v1-3 (and npm-shrinkwrap), yarn v1 and berry, pnpm 5/6/9."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from app.detect.base import blank_or_hash_comment, split_lines
from app.detect.dependencies.parsers.common import (
    Dep,
    Parsed,
    UnreadableError,
    keep_runtime,
    line_finder,
    load_json,
    new_dep,
    with_copies,
)

_NPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


def package_json(text: str) -> Parsed:
    data = load_json(text)
    find = line_finder(text)
    out: Parsed = {}
    for section in _NPM_SECTIONS:
        dev = section == "devDependencies"
        for name, spec in (data.get(section) or {}).items():
            line = find(f'"{name}"') or find(name)
            keep_runtime(out, new_dep(name, str(spec), line, True, dev=dev))
    return out


def npm_scope(text: str) -> str | None:
    """The scope of the package a package.json publishes (`@tryghost` for
    `@tryghost/members-api`), None without one or when the file does not parse."""
    try:
        name = load_json(text).get("name")
    except UnreadableError:
        return None
    if isinstance(name, str) and name.startswith("@") and "/" in name:
        return name.split("/", 1)[0]
    return None


def package_lock(text: str) -> Parsed:
    """npm lockfile v1 (nested `dependencies`), v2 and v3 (`packages`); a package's
    top-level (hoisted) copy is its primary one, nested copies are other copies."""
    data = load_json(text)
    copies: dict[str, list[Dep]] = {}
    hoisted: dict[str, str] = {}
    packages = data.get("packages")
    if isinstance(packages, dict):
        root = packages.get("") or {}
        direct = {n for s in _NPM_SECTIONS for n in (root.get(s) or {})}
        for path, info in packages.items():
            if not path or "node_modules/" not in path or not isinstance(info, dict):
                continue
            if info.get("link"):
                continue
            name = info.get("name") or path.rsplit("node_modules/", 1)[1]
            version = info.get("version")
            if isinstance(version, str):
                top = path.count("node_modules/") == 1
                origin, digest = _fetched(info)
                dep = new_dep(
                    name, version, None, top and name in direct, origin=origin, digest=digest
                )
                copies.setdefault(name, []).append(dep)
                if top:
                    hoisted[name] = version
        return with_copies(copies, hoisted)
    dependencies = data.get("dependencies")
    if not isinstance(dependencies, dict):
        raise UnreadableError("neither `packages` nor `dependencies`")
    for name, info, depth in _v1(dependencies):
        origin, digest = _fetched(info)
        dep = new_dep(name, info["version"], origin=origin, digest=digest)
        copies.setdefault(name, []).append(dep)
        if depth == 0:
            hoisted[name] = info["version"]
    return with_copies(copies, hoisted)


def _fetched(info: dict[str, Any]) -> tuple[str | None, str | None]:
    """The address and digest npm's lockfile records for a package."""
    resolved, integrity = info.get("resolved"), info.get("integrity")
    return (
        resolved if isinstance(resolved, str) else None,
        integrity if isinstance(integrity, str) else None,
    )


def _v1(tree: dict[str, Any], depth: int = 0) -> Iterator[tuple[str, dict[str, Any], int]]:
    for name, info in tree.items():
        if isinstance(info, dict):
            if isinstance(info.get("version"), str):
                yield name, info, depth
            nested = info.get("dependencies")
            if isinstance(nested, dict):
                yield from _v1(nested, depth + 1)


def yarn_lock(text: str) -> Parsed:
    """yarn v1 (its own syntax) and berry (YAML with __metadata), read line by line:
    both write one unindented header per package and an indented `version` line (a
    YAML parser took ~2 s per MB of berry lockfile; this is linear). Every version of
    a package is a copy, the highest its primary one.

    Direct or transitive, as npm's and pnpm's lockfiles say, so that a lockfile-only
    upgrade bringing in thirty sub-dependencies reads as such: berry lists what each
    workspace (the project) asks for; v1 lists only what each package depends on, so
    there a package no other one pulls in is the project's own and one that another
    pulls in is transitive (one both asked for and pulled in reads transitive; where
    the manifest changes too, its entry says direct)."""
    berry = "__metadata:" in text
    copies: dict[str, list[_YarnCopy]] = {}
    pulled: set[str] = set()  # names some package depends on
    asked: set[str] = set()  # names a berry workspace depends on
    name: str | None = None
    workspace = in_dependencies = False
    for number, line in enumerate(split_lines(text), start=1):
        if blank_or_hash_comment(line):
            continue
        if not line.startswith(" "):
            if not line.rstrip().endswith(":"):
                raise UnreadableError(f"line {number}: expected a package header")
            header = line.rstrip()[:-1].strip().strip('"')
            workspace = berry and ("@workspace:" in header or header == "__metadata")
            name = None if workspace else _yarn_name(header.split(",")[0].strip())
            in_dependencies = False
        elif not line.startswith("   "):  # a field of the package, two spaces in
            in_dependencies = line.strip() in _DEPENDENCY_BLOCKS
            if name and (version := _version_line(line, berry)):
                copies.setdefault(name, []).append(_YarnCopy(version, number))
            elif name and line.startswith(_YARN_FETCHED) and name in copies:
                _yarn_fetched(copies[name][-1], line, berry, name)
        elif in_dependencies and line.startswith("    ") and not line.startswith("     "):
            (asked if workspace else pulled).add(_dependency_name(line))
    if not copies and text.strip() and not berry:
        raise UnreadableError("no packages found")
    deps: dict[str, list[Dep]] = {}
    for name, found in copies.items():
        direct = name in asked if berry else name not in pulled
        deps[name] = [
            new_dep(name, c.version, c.line, direct, origin=c.origin, digest=c.digest)
            for c in found
        ]
    return with_copies(deps)


@dataclass(slots=True)
class _YarnCopy:
    """One version's entry while it is read (a Dep once its standing is known)."""

    version: str
    line: int
    origin: str | None = None
    digest: str | None = None
    own: bool = False  # a berry workspace, link or patch: no address, no digest to keep


_DEPENDENCY_BLOCKS = {"dependencies:", "optionalDependencies:"}
# berry protocols for the repository's own code, or a registry package it patches
# (`patch:lodash@npm%3A4.17.21#~/.yarn/patches/…`): no address of their own
_BERRY_OWN = ("workspace:", "patch:", "portal:", "link:", "file:")
_YARN_FETCHED = ("  resolved ", "  integrity ", "  resolution:", "  checksum:")


def _dependency_name(line: str) -> str:
    """The package of a dependency line: `    "@scope/name" "^1.0.0"` (v1),
    `    "@scope/name": "npm:^1.0.0"` (berry)."""
    entry = line.strip()
    if entry.startswith('"'):
        return entry[1 : entry.find('"', 1)]
    return entry.split(" ", 1)[0].rstrip(":")


def _version_line(line: str, berry: bool) -> str | None:
    """The version on a package's own `version` line (two spaces in: deeper lines are a
    dependency's range): `  version "1.2.3"` in v1, `  version: 1.2.3` in berry."""
    if not line.startswith("  version") or line.startswith("   "):
        return None
    rest = line[len("  version") :]
    if berry:
        return rest[1:].strip().strip("\"'") if rest.startswith(":") else None
    return rest.strip().strip('"') if rest[:1] == " " else None


def _yarn_fetched(copy: _YarnCopy, line: str, berry: bool, name: str) -> None:
    """Where yarn fetches `copy` from and its digest, if `line` says: v1's `resolved
    "<url>"` and `integrity sha512-…`; berry's `resolution:` — `name@npm:1.0.0` is the
    registry (no address of its own), `other@npm:1.0.0` another package (an alias, a
    fork through `resolutions`), `workspace:`/`patch:`/… the repository's own code —
    and `checksum: 10c0/…` (prefixed by the cache key it was computed under; an
    unprefixed one changes with `cacheKey`: not kept)."""
    key, _, value = line.strip().partition(":" if berry else " ")
    value = value.strip().strip("\"'")
    if key == ("checksum" if berry else "integrity") and (not berry or "/" in value):
        copy.digest = None if copy.own else value
    elif not berry and key == "resolved":
        copy.origin = value
    elif berry and key == "resolution":
        at = value.find("@", 1)
        resolved, where = (value[:at], value[at + 1 :]) if at > 0 else (name, value)
        # the repository's own code, or a package it patches: its checksum is the
        # patched code's, which the patch file in the same change explains
        copy.own = where.startswith(_BERRY_OWN)
        if where.startswith("npm:"):  # the registry; another package's name: an alias
            copy.origin = None if resolved == name else f"npm:{resolved}"
        else:
            copy.origin = None if copy.own else where


def _yarn_name(spec: str) -> str:
    spec = spec.strip('"')
    at = spec.find("@", 1)  # scoped names start with @
    return spec[:at] if at > 0 else spec


def pnpm_lock(text: str) -> Parsed:
    """pnpm-lock.yaml 5.x (`/name/1.0.0`), 6.x (`/name@1.0.0`), 9.x (`name@1.0.0`), read
    line by line (a YAML parser took ~3 s per MB; pnpm writes one key per line at fixed
    indents). The version an importer (the project) resolves is a package's primary
    copy."""
    lines = _pnpm_lines(text)
    if not any(indent == 0 and key == "lockfileVersion" for indent, key, _ in lines):
        raise UnreadableError("no lockfileVersion")
    direct: dict[str, str] = {}
    copies: dict[str, list[Dep]] = {}
    section = group = name = entry = ""
    for indent, key, value in lines:
        if indent == 0:
            section, group = key, ""
        elif section == "packages" and indent == 2:
            package, version = _pnpm_key(key)
            entry = package or ""
            if package:
                copies.setdefault(package, []).append(new_dep(package, version))
        elif section == "packages" and indent == 4 and key == "resolution" and entry in copies:
            copies[entry][-1] = _pnpm_fetched(copies[entry][-1], value)
        elif section == "importers" and indent == 4:
            group = key
        elif (section == "importers" and group in _PNPM_GROUPS and indent == 6) or (
            section in _PNPM_GROUPS and indent == 2
        ):
            name = key
            if value:  # 5.x: `name: 1.2.3`
                direct[name] = value.split("(", 1)[0]
        elif key == "version" and name and indent in (4, 8):  # 6.x/9.x {specifier, version}
            direct[name] = value.split("(", 1)[0]
    parsed = with_copies(copies, direct)
    for key, dep in parsed.items():
        if key == dep.name:
            parsed[key] = replace(dep, direct=dep.name in direct)
    return parsed


_PNPM_GROUPS = ("dependencies", "devDependencies", "optionalDependencies")
_PNPM_LINE = re.compile(r"""^( *)(?:'([^']*)'|"([^"]*)"|([^\s'"][^:]*?))\s*:(?:\s+(.*?))?\s*$""")


def _pnpm_lines(text: str) -> list[tuple[int, str, str]]:
    """(indent, key, value) of every `key: value` line; a line that is none, where
    only keys belong (a merge conflict's marker), makes the file unreadable."""
    out = []
    for number, line in enumerate(split_lines(text), start=1):
        if blank_or_hash_comment(line):
            continue
        found = _PNPM_LINE.match(line)
        if found is None:
            if not line.startswith(" "):
                raise UnreadableError(f"line {number}: expected a key")
            continue  # a list item or a folded value inside a package's entry
        indent, *keys, value = found.groups()
        key = next(k for k in keys if k is not None)
        if value and value[0] in "[{" and not _balanced(value):
            raise UnreadableError(f"line {number}: a flow collection that does not close")
        out.append((len(indent), key, (value or "").strip("'\"")))
    return out


_PNPM_RESOLUTION = re.compile(r"(integrity|tarball|repo):\s*([^,}\s]+)")


def _pnpm_fetched(dep: Dep, resolution: str) -> Dep:
    """`dep` with its `resolution`: `{integrity: sha512-…}` (the registry's: no address
    of its own), `{tarball: <url>, integrity: …}`, `{commit: …, repo: <url>, type: git}`."""
    found = dict(_PNPM_RESOLUTION.findall(resolution))
    origin = found.get("tarball") or found.get("repo")
    return new_dep(dep.name, dep.version, origin=origin, digest=found.get("integrity"))


def _balanced(value: str) -> bool:
    """Whether a one-line flow value (`{integrity: sha512-…}`) closes what it opens."""
    opened = value.count("{") + value.count("[")
    if opened != value.count("}") + value.count("]"):
        return False
    if opened == 1:  # most of a lockfile's values: one pair, closed after it opens
        return max(value.find("}"), value.find("]")) > max(value.find("{"), value.find("["))
    depth = 0
    for ch in value:
        depth += (ch in "[{") - (ch in "]}")
        if depth < 0:
            return False
    return depth == 0


def _pnpm_key(key: str) -> tuple[str | None, str]:
    key = key.lstrip("/").split("(", 1)[0]
    if "@" in key[1:]:
        at = key.rfind("@")
        return key[:at], key[at + 1 :]
    parts = key.rsplit("/", 1)  # 5.x: name/version
    return (parts[0], parts[1]) if len(parts) == 2 else (None, "")
