"""PyPI: pip requirements, pyproject (PEP 621/735, Poetry), Pipfile, and the
poetry/uv/pdm and Pipfile lockfiles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import (
    Dep,
    NotDeclaredError,
    Parsed,
    UnreadableError,
    keep_runtime,
    line_finder,
    load_json,
    load_toml,
    new_dep,
)


def canonicalize_name(name: str) -> str:
    """PEP 503's form, by packaging, whose `utils` brings the wheel-tag machinery (about
    10 ms to import): loaded when a Python dependency file is read, not at every start."""
    from packaging.utils import canonicalize_name as canonical

    return canonical(name)


def _pep508(spec: str, line: int | None) -> Dep | None:
    # packaging.requirements brings the specifier and marker grammars (20 ms to import):
    # only a dependency file needs them
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(spec)
    except InvalidRequirement:
        # pip takes `name @ url; marker`, PEP 508 wants a space before the `;`
        if " @ " not in spec or ";" not in spec:
            return None
        try:
            req = Requirement(re.sub(r"(\S);", r"\1 ;", spec, count=1))
        except InvalidRequirement:
            return None
    pins = [s.version for s in req.specifier if s.operator in ("==", "===")]
    version = pins[0] if len(pins) == 1 and "*" not in pins[0] else str(req.specifier) or "*"
    if req.url:
        version = req.url
    return new_dep(canonicalize_name(req.name), version, line, True)


def requirements(text: str) -> Parsed:
    """pip requirements: pins, ranges, extras, markers, `--hash` continuations, direct
    URLs (`git+https://…#egg=name`). `-r`/`-c` includes name other files; they are
    compared when they change. Files compiled by pip-tools or uv say, in `# via`
    comments, which entries were asked for (`-r …`, a manifest): the rest are transitive."""
    out: Parsed = {}
    for start, entry in _logical_lines(text):
        dep = _pep508(entry, start) or _direct_url(entry, start)
        if dep is None:
            raise UnreadableError(f"line {start}: not a requirement: {entry[:60]}")
        out[dep.name] = dep
    vias = _vias(text)
    if vias:
        out = {k: replace(d, direct=vias.get(d.line or 0, True)) for k, d in out.items()}
    return out


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, entry) of each requirement, continuations joined."""
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
        if entry and not entry.startswith(("-", "--")):  # options and includes
            yield start, re.sub(r"\s--hash[=\s]\S+", "", entry)


# `git+https://host/org/name.git@ref#egg=name`, `https://host/name-1.0.tar.gz`, `./pkg`
_URL = re.compile(r"^(?:[a-z+]+://|\.{0,2}/|[A-Za-z]:\\)\S*$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def _direct_url(entry: str, line: int) -> Dep | None:
    """A requirement written as a URL or path: named by its `#egg=`, else its last part."""
    if not _URL.match(entry):
        return None
    egg = _EGG.search(entry)
    tail = entry.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1].split("@", 1)[0]
    # a repository (`py-amqp.git`) or an archive (`left_pad-1.0.tar.gz`, a wheel)
    name = egg.group(1) if egg else re.sub(r"(?:\.git|-\d[^/]*)$", "", tail)
    if not name or name in (".", ".."):
        return None
    return Dep(canonicalize_name(name), entry, line, True, False)


_VIA = re.compile(r"^\s*#\s+(?:via\s+)?(\S.*)$")


def _vias(text: str) -> dict[int, bool]:
    """pip-compile's `# via` blocks: {entry line: asked for directly}. Empty when the
    file has none (written by hand: every entry is direct)."""
    direct: dict[int, bool] = {}
    entry, in_via = 0, False
    for number, raw in enumerate(split_lines(text), start=1):
        stripped = raw.strip()
        if stripped and not stripped.startswith("#") and not raw[:1].isspace():
            entry, in_via = number, False
            inline = re.search(r"\s#\s+via\s+(.+)$", raw)  # pip-tools before 5.0
            if inline:
                direct[entry] = any(_asked_for(v) for v in inline.group(1).split(","))
        elif entry and re.match(r"#\s+via\b", stripped):
            in_via = True
            direct[entry] = direct.get(entry, False) or _asked_for(stripped.split("via", 1)[1])
        elif entry and in_via and (match := _VIA.match(raw)):
            direct[entry] = direct.get(entry, False) or _asked_for(match.group(1))
    return direct


_MANIFESTS = ("pyproject.toml", "setup.cfg", "setup.py", "requirements.in")


def _asked_for(source: str) -> bool:
    """Whether a `via` names a file a person writes (`-r requirements.in`, pyproject)."""
    source = source.strip()
    return source.startswith(("-r", "-c")) or source.split(" ", 1)[0] in _MANIFESTS


# Extras and groups by these names are for working on the project, not for running it.
DEV_GROUPS = re.compile(
    r"^(?:dev|develop|development|docs?|documentation|tests?|testing|lint|linting|typing"
    r"|types|mypy|style|format|qa|ci|tox|bench|benchmarks?|coverage|build|release)"
    r"(?:[-_].*)?$",
    re.IGNORECASE,
)


def pyproject(text: str) -> Parsed:
    """PEP 621 dependencies and optional groups, PEP 735 dependency-groups, Poetry.
    Dependency groups, Poetry's non-main groups and extras named like `dev`/`test`/
    `docs` are development dependencies."""
    data = load_toml(text)
    find = line_finder(text)
    out: Parsed = {}

    def add(spec: str, dev: bool) -> None:
        dep = _pep508(spec, None)
        if dep is not None:
            raw = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
            written = raw.group(1) if raw else dep.name
            line = find(f'"{written}') or find(written)  # the entry, not a mention in extras
            keep_runtime(out, Dep(dep.name, dep.version, line, True, dep.exact, dev))

    project = data.get("project") or {}
    if isinstance(project, dict):
        for spec in project.get("dependencies") or []:
            add(spec, False)
        for extra, group in (project.get("optional-dependencies") or {}).items():
            for spec in group:
                add(spec, bool(DEV_GROUPS.match(extra)))
    for group in (data.get("dependency-groups") or {}).values():
        for spec in group:
            if isinstance(spec, str):
                add(spec, True)  # never published: only for working on the project
    _poetry(out, (data.get("tool") or {}).get("poetry") or {}, find)
    return out


def _poetry(out: Parsed, poetry: dict[str, Any], find: Callable[[str], int | None]) -> None:
    tables = [(poetry.get("dependencies"), False), (poetry.get("dev-dependencies"), True)]
    groups = (poetry.get("group") or {}).items()
    tables += [(g.get("dependencies"), name != "main") for name, g in groups]
    for table, dev in tables:
        for name, spec in (table or {}).items():
            if name.lower() == "python":
                continue
            version = (
                spec
                if isinstance(spec, str)
                else str(spec.get("version") or spec.get("git") or spec.get("path") or "*")
            )
            key = canonicalize_name(name)
            keep_runtime(out, new_dep(key, version, find(name), True, dev=dev))


def setup_cfg(text: str) -> Parsed:
    """setuptools' declarative config: `install_requires` and `extras_require`."""
    from configparser import ConfigParser  # only setup.cfg needs it
    from configparser import Error as ConfigParserError

    config = ConfigParser(interpolation=None)
    try:
        config.read_string(text)
    except ConfigParserError as error:
        raise UnreadableError(f"not an INI file: {str(error).splitlines()[0][:80]}") from None
    find = line_finder(text)
    out: Parsed = {}
    specs = [(config.get("options", "install_requires", fallback=""), False)]
    if config.has_section("options.extras_require"):
        extras = config.items("options.extras_require")
        specs += [(value, bool(DEV_GROUPS.match(extra))) for extra, value in extras]
    for block, dev in specs:
        for spec in split_lines(block):
            spec = spec.split("#", 1)[0].strip()
            dep = _pep508(spec, None) if spec else None
            if dep is not None:
                keep_runtime(out, replace(dep, line=find(spec) or find(dep.name), dev=dev))
    return out


def setup_py(text: str) -> Parsed:
    """setuptools' setup.py, read by its syntax, never run: the literal lists handed to
    `setup(install_requires=…, extras_require=…)`, directly or through a name the module
    assigns once. One that computes them raises NotDeclaredError (not read)."""
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise NotDeclaredError("setup.py is not Python this parser reads") from None
    names = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    call = next((n for n in ast.walk(tree) if _is_setup_call(n)), None)
    if not isinstance(call, ast.Call):
        raise NotDeclaredError("no setup() call")
    out: Parsed = {}
    changed = _changed_names(tree)
    for keyword in call.keywords:
        if keyword.arg not in ("install_requires", "extras_require"):
            continue
        value = keyword.value
        if isinstance(value, ast.Name):
            if value.id in changed or value.id not in names:
                raise NotDeclaredError(f"{value.id} is computed")
            value = names[value.id]
        if keyword.arg == "install_requires":
            _setup_specs(out, value, dev=False)
        elif keyword.arg == "extras_require":
            if not isinstance(value, ast.Dict):
                raise NotDeclaredError("extras_require is computed")
            for key, group in zip(value.keys, value.values, strict=True):
                extra = key.value if isinstance(key, ast.Constant) else ""
                _setup_specs(out, group, dev=bool(DEV_GROUPS.match(str(extra))))
    return out


def _changed_names(tree: Any) -> set[str]:
    """Names assigned more than once, augmented, or changed by a method call
    (`deps.append(...)`): a list read from its first assignment would be wrong."""
    import ast

    seen: set[str] = set()
    changed: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    (changed if target.id in seen else seen).add(target.id)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign) and isinstance(node.target, ast.Name):
            changed.add(node.target.id)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
        ):
            changed.add(node.func.value.id)  # deps.append(...), deps.extend(...)
    return changed


def _is_setup_call(node: Any) -> bool:
    import ast

    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup"
    )


def _setup_specs(out: Parsed, value: Any, *, dev: bool) -> None:
    import ast

    if not isinstance(value, ast.List | ast.Tuple):
        raise NotDeclaredError("a dependency list is computed")
    for item in value.elts:
        if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
            raise NotDeclaredError("a dependency is computed")
        dep = _pep508(item.value, item.lineno)
        if dep is not None:
            keep_runtime(out, replace(dep, dev=dev))


def toml_packages(text: str) -> Parsed:
    """`[[package]] name, version` lockfiles: poetry.lock, uv.lock, Cargo.lock, pdm.lock."""
    data = load_toml(text)
    packages = data.get("package")
    if not isinstance(packages, list):
        raise UnreadableError("no [[package]] entries")
    out: Parsed = {}
    runtime: set[str] = set()
    dev: set[str] = set()
    project = False
    for package in packages:
        name, version = package.get("name"), package.get("version")
        source = package.get("source")
        if isinstance(source, dict) and ("editable" in source or "virtual" in source):
            project = True  # uv: the project itself (its version may be dynamic)
            _uv_roots(package, runtime, dev)
            continue
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        key = canonicalize_name(name)
        origin, digest = _fetched(package)
        out[key] = new_dep(key, version, origin=origin, digest=digest)
    if project:
        out = {
            k: replace(d, direct=k in runtime or k in dev, dev=k in dev and k not in runtime)
            for k, d in out.items()
        }
    return out


def _fetched(package: dict[str, Any]) -> tuple[str | None, str | None]:
    """Where a locked package's files come from and their digests: uv's `source`
    (a registry, git or URL), `sdist` and `wheels`; Poetry's `[package.source]` and
    `files`; pdm's `files`. Space-separated, as origins.py reads them."""
    source = package.get("source")
    files = [package.get("sdist"), *(package.get("wheels") or []), *(package.get("files") or [])]
    urls = [f["url"] for f in files if isinstance(f, dict) and isinstance(f.get("url"), str)]
    if isinstance(source, dict):
        where = source.get("git") or source.get("url")
        if isinstance(where, str):
            urls.insert(0, where)
    hashes = [f["hash"] for f in files if isinstance(f, dict) and isinstance(f.get("hash"), str)]
    return " ".join(urls) or None, " ".join(hashes) or None


def _uv_roots(package: dict[str, Any], runtime: set[str], dev: set[str]) -> None:
    """The names a uv project asks for: runtime (dependencies, extras users install)
    and dev (its dependency groups, extras named like `test`)."""

    def names(entries: object) -> set[str]:
        items = entries if isinstance(entries, list) else []
        return {canonicalize_name(e["name"]) for e in items if isinstance(e, dict) and "name" in e}

    runtime |= names(package.get("dependencies"))
    for extra, entries in (package.get("optional-dependencies") or {}).items():
        (dev if DEV_GROUPS.match(extra) else runtime).update(names(entries))
    for entries in (package.get("dev-dependencies") or {}).values():
        dev.update(names(entries))


def pipfile_lock(text: str) -> Parsed:
    data = load_json(text)
    out: Parsed = {}
    for section in ("default", "develop"):
        for name, info in (data.get(section) or {}).items():
            info = info or {}
            version = str(info.get("version") or "").removeprefix("==") or "*"
            digest = " ".join(str(h) for h in info.get("hashes") or []) or None
            dev = section == "develop"
            keep_runtime(out, new_dep(canonicalize_name(name), version, dev=dev, digest=digest))
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
            dev = section == "dev-packages"
            keep_runtime(out, new_dep(key, version.removeprefix("=="), find(name), True, dev=dev))
    return out
