"""PyPI: pip requirements, pyproject (PEP 621/735, Poetry), Pipfile, and the
poetry/uv/pdm and Pipfile lockfiles.
"""

from __future__ import annotations

import re

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import (
    Dep,
    Parsed,
    UnreadableError,
    line_finder,
    load_json,
    load_toml,
    new_dep,
)


def _pep508(spec: str, line: int | None) -> Dep | None:
    try:
        req = Requirement(spec)
    except InvalidRequirement:
        return None
    pins = [s.version for s in req.specifier if s.operator in ("==", "===")]
    version = pins[0] if len(pins) == 1 and "*" not in pins[0] else str(req.specifier) or "*"
    if req.url:
        version = req.url
    return new_dep(canonicalize_name(req.name), version, line, True)


def requirements(text: str) -> Parsed:
    """pip requirements: pins, ranges, extras, markers, `--hash` continuations.
    `-r`/`-c` includes name other files; they are compared when they change."""
    out: Parsed = {}
    logical, start = "", 0
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not logical:
            start = number
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        entry, logical = logical.strip(), ""
        if not entry or entry.startswith(("-", "--")):
            continue  # options and includes
        entry = re.sub(r"\s--hash[=\s]\S+", "", entry)
        dep = _pep508(entry, start)
        if dep is None:
            raise UnreadableError(f"line {start}: not a requirement: {entry[:60]}")
        out[dep.name] = dep
    return out


def pyproject(text: str) -> Parsed:
    """PEP 621 dependencies and optional groups, PEP 735 dependency-groups, Poetry."""
    data = load_toml(text)
    find = line_finder(text)
    out: Parsed = {}

    def add(spec: str) -> None:
        dep = _pep508(spec, None)
        if dep is not None:
            raw = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
            written = raw.group(1) if raw else dep.name
            line = find(f'"{written}') or find(written)  # the entry, not a mention in extras
            out[dep.name] = Dep(dep.name, dep.version, line, True, dep.exact)

    project = data.get("project") or {}
    if isinstance(project, dict):
        for spec in project.get("dependencies") or []:
            add(spec)
        for group in (project.get("optional-dependencies") or {}).values():
            for spec in group:
                add(spec)
    for group in (data.get("dependency-groups") or {}).values():
        for spec in group:
            if isinstance(spec, str):
                add(spec)
    poetry = (data.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    tables += [g.get("dependencies") for g in (poetry.get("group") or {}).values()]
    for table in tables:
        for name, spec in (table or {}).items():
            if name.lower() == "python":
                continue
            version = (
                spec
                if isinstance(spec, str)
                else str(spec.get("version") or spec.get("git") or spec.get("path") or "*")
            )
            key = canonicalize_name(name)
            out[key] = new_dep(key, version, find(name), True)
    return out


def toml_packages(text: str) -> Parsed:
    """`[[package]] name, version` lockfiles: poetry.lock, uv.lock, Cargo.lock, pdm.lock."""
    data = load_toml(text)
    packages = data.get("package")
    if not isinstance(packages, list):
        raise UnreadableError("no [[package]] entries")
    out: Parsed = {}
    roots: set[str] = set()
    for package in packages:
        name, version = package.get("name"), package.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        source = package.get("source")
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            # uv: the project itself; its dependencies are the direct ones
            roots.update(d.get("name", "") for d in package.get("dependencies") or [])
            continue
        key = canonicalize_name(name)
        out[key] = new_dep(key, version)
    if roots:
        canonical = {canonicalize_name(r) for r in roots}
        out = {k: Dep(d.name, d.version, d.line, k in canonical, d.exact) for k, d in out.items()}
    return out


def pipfile_lock(text: str) -> Parsed:
    data = load_json(text)
    out: Parsed = {}
    for section in ("default", "develop"):
        for name, info in (data.get(section) or {}).items():
            version = str((info or {}).get("version") or "").removeprefix("==") or "*"
            key = canonicalize_name(name)
            out[key] = new_dep(key, version)
    return out


def pipfile(text: str) -> Parsed:
    data = load_toml(text)
    find = line_finder(text)
    out: Parsed = {}
    for section in ("packages", "dev-packages"):
        for name, spec in (data.get(section) or {}).items():
            version = (
                spec
                if isinstance(spec, str)
                else str(spec.get("version") or spec.get("git") or "*")
            )
            key = canonicalize_name(name)
            out[key] = new_dep(key, version.removeprefix("=="), find(name), True)
    return out
