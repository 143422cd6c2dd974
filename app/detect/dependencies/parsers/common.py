"""What every parser returns, and the readers they share.

Each parser takes a file's text and returns the packages it pins or asks for,
with the line each is written on where that is cheap to know. A file that
does not parse raises `UnreadableError` with the reason; the detector turns that
into a finding (never a crash, never a silent pass).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from app.detect.base import split_lines


@dataclass(frozen=True, slots=True)
class Dep:
    name: str  # as the ecosystem writes it (normalised for PyPI)
    version: str  # an exact version, or the requirement as written ("^1.2", ">=2")
    line: int | None = None
    direct: bool | None = None  # None: the file does not say
    exact: bool = True  # False for a range or a ref that is not a version
    # Needed only to develop, test or document the project (devDependencies, a
    # `dev` group, requirements/docs.txt): never shipped, so less for security.
    dev: bool = False
    # Where a lockfile says the code is fetched from (npm's `resolved`, a pnpm tarball)
    # and the digest it must match (`integrity`, a checksum): see origins.py.
    origin: str | None = None
    digest: str | None = None


class UnreadableError(Exception):
    """The file is not in the format its name promises."""


class NotDeclaredError(UnreadableError):
    """The file computes its dependencies (a setup.py that builds its lists): they are
    not read, and the file's change is reported as one nobody parses."""


Parsed = dict[str, Dep]


def safely(parse: Callable[[str], Parsed], text: str) -> Parsed:
    """`parse(text)`, with any surprise in the file's structure (a list where a
    mapping belongs, a number where a name does) reported as UnreadableError."""
    try:
        return parse(text)
    except UnreadableError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
        raise UnreadableError(f"unexpected structure ({type(error).__name__}: {error})") from None


EXACT = re.compile(r"^v?\d+(\.\d+)*([.+-][0-9A-Za-z.+-]*)?$")


def new_dep(
    name: str,
    version: str,
    line: int | None = None,
    direct: bool | None = None,
    *,
    dev: bool = False,
    origin: str | None = None,
    digest: str | None = None,
) -> Dep:
    version = version.strip()
    return Dep(name, version, line, direct, bool(EXACT.match(version)), dev, origin, digest)


def keep_runtime(out: Parsed, dep: Dep) -> None:
    """Record `dep`, unless the file already lists it for runtime: a package asked
    for at runtime and again in a dev group is a runtime dependency."""
    seen = out.get(dep.name)
    if seen is None or (seen.dev and not dep.dev):
        out[dep.name] = dep


def with_copies(copies: dict[str, list[Dep]], primary: dict[str, str] | None = None) -> Parsed:
    """One entry per package for its primary copy — the version `primary` names (the
    hoisted or direct one), else the highest — and one per other version it is also
    installed at, keyed `name@version` and transitive (npm nests a second copy under
    the package that needs it; yarn and pnpm list each version). A new nested copy is
    then a copy added, never the primary's downgrade."""
    out: Parsed = {}
    for name, deps in copies.items():
        by_version = {dep.version: dep for dep in deps}
        wanted = (primary or {}).get(name)
        main = by_version.get(wanted) if wanted else None
        main = main or max(by_version.values(), key=lambda dep: _version_key(dep.version))
        out[name] = main
        for version, dep in by_version.items():
            if version != main.version:
                out[f"{name}@{version}"] = replace(dep, direct=False)
    return out


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Numbers compared as numbers, the rest as text: 10.0.0 after 9.1.0."""
    return tuple(
        (int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"[.+-]", version)
    )


def line_finder(text: str) -> Callable[[str], int | None]:
    """The first line a package name appears on (quoted or as a word)."""
    lines = split_lines(text)

    def find(name: str) -> int | None:
        pattern = re.compile(rf"(?<![\w.@/-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
        return next((i for i, line in enumerate(lines, start=1) if pattern.search(line)), None)

    return find


def load_json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UnreadableError(f"not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise UnreadableError("not a JSON object")
    return data


def load_toml(text: str) -> dict[str, Any]:
    import tomllib  # a TOML file is rare in a change: not imported at every start

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UnreadableError(f"not valid TOML: {error}") from None


def load_yaml(text: str) -> object:
    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        raise UnreadableError(f"not valid YAML: {str(error).splitlines()[0]}") from None
    except (IndexError, ValueError) as error:  # ruamel slips on `[-_]`, `[._]`
        raise UnreadableError(f"not valid YAML ({error})") from None
