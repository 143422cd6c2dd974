"""Manifests and lockfiles to `{package: Dep}`, one pure function per format.

Each parser takes a file's text and returns the packages it pins or asks for,
with the line each is written on where that is cheap to know. A file that
does not parse raises `UnreadableError` with the reason; the detector turns that
into a finding (never a crash, never a silent pass).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError


@dataclass(frozen=True, slots=True)
class Dep:
    name: str  # as the ecosystem writes it (normalised for PyPI)
    version: str  # an exact version, or the requirement as written ("^1.2", ">=2")
    line: int | None = None
    direct: bool | None = None  # None: the file does not say
    exact: bool = True  # False for a range or a ref that is not a version


class UnreadableError(Exception):
    """The file is not in the format its name promises."""


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


_EXACT = re.compile(r"^v?\d+(\.\d+)*([.+-][0-9A-Za-z.+-]*)?$")


def _dep(name: str, version: str, line: int | None = None, direct: bool | None = None) -> Dep:
    version = version.strip()
    return Dep(name, version, line, direct, bool(_EXACT.match(version)))


def _line_finder(text: str) -> Callable[[str], int | None]:
    """The first line a package name appears on (quoted or as a word)."""
    lines = text.splitlines()

    def find(name: str) -> int | None:
        pattern = re.compile(rf"(?<![\w.@/-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
        return next((i for i, line in enumerate(lines, start=1) if pattern.search(line)), None)

    return find


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UnreadableError(f"not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise UnreadableError("not a JSON object")
    return data


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UnreadableError(f"not valid TOML: {error}") from None


def _yaml(text: str) -> object:
    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        raise UnreadableError(f"not valid YAML: {str(error).splitlines()[0]}") from None


# --- Python ------------------------------------------------------------------------


def _pep508(spec: str, line: int | None) -> Dep | None:
    try:
        req = Requirement(spec)
    except InvalidRequirement:
        return None
    pins = [s.version for s in req.specifier if s.operator in ("==", "===")]
    version = pins[0] if len(pins) == 1 and "*" not in pins[0] else str(req.specifier) or "*"
    if req.url:
        version = req.url
    return _dep(canonicalize_name(req.name), version, line, True)


def requirements(text: str) -> Parsed:
    """pip requirements: pins, ranges, extras, markers, `--hash` continuations.
    `-r`/`-c` includes name other files; they are compared when they change."""
    out: Parsed = {}
    logical, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
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
    data = _toml(text)
    find = _line_finder(text)
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
            out[key] = _dep(key, version, find(name), True)
    return out


def toml_packages(text: str) -> Parsed:
    """`[[package]] name, version` lockfiles: poetry.lock, uv.lock, Cargo.lock, pdm.lock."""
    data = _toml(text)
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
        out[key] = _dep(key, version)
    if roots:
        canonical = {canonicalize_name(r) for r in roots}
        out = {k: Dep(d.name, d.version, d.line, k in canonical, d.exact) for k, d in out.items()}
    return out


def pipfile_lock(text: str) -> Parsed:
    data = _json(text)
    out: Parsed = {}
    for section in ("default", "develop"):
        for name, info in (data.get(section) or {}).items():
            version = str((info or {}).get("version") or "").removeprefix("==") or "*"
            key = canonicalize_name(name)
            out[key] = _dep(key, version)
    return out


# --- JavaScript ----------------------------------------------------------------------

_NPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


def package_json(text: str) -> Parsed:
    data = _json(text)
    find = _line_finder(text)
    out: Parsed = {}
    for section in _NPM_SECTIONS:
        for name, spec in (data.get(section) or {}).items():
            out[name] = _dep(name, str(spec), find(f'"{name}"') or find(name), True)
    return out


def package_lock(text: str) -> Parsed:
    """npm lockfile v1 (nested `dependencies`), v2 and v3 (`packages`)."""
    data = _json(text)
    out: Parsed = {}
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
            if isinstance(version, str) and name not in out:
                top = path.count("node_modules/") == 1
                out[name] = _dep(name, version, None, top and name in direct)
        return out
    dependencies = data.get("dependencies")
    if not isinstance(dependencies, dict):
        raise UnreadableError("neither `packages` nor `dependencies`")
    for name, version in _v1(dependencies):
        out.setdefault(name, _dep(name, version))
    return out


def _v1(tree: dict[str, object]) -> Iterator[tuple[str, str]]:
    for name, info in tree.items():
        if isinstance(info, dict):
            if isinstance(info.get("version"), str):
                yield name, str(info["version"])
            nested = info.get("dependencies")
            if isinstance(nested, dict):
                yield from _v1(nested)


def yarn_lock(text: str) -> Parsed:
    """yarn v1 (its own syntax) and berry (YAML with __metadata)."""
    if "__metadata:" in text:
        data = _yaml(text)
        if not isinstance(data, dict):
            raise UnreadableError("not a yarn berry lockfile")
        out: Parsed = {}
        for key, info in data.items():
            if key == "__metadata" or not isinstance(info, dict):
                continue
            package = _yarn_name(str(key).split(",")[0].strip())
            if "@workspace:" in str(key) or not info.get("version"):
                continue
            out[package] = _dep(package, str(info["version"]))
        return out
    out = {}
    name: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            if not line.rstrip().endswith(":"):
                raise UnreadableError(f"line {number}: expected a package header")
            name = _yarn_name(line.split(",")[0].strip().strip('"').rstrip(":"))
        elif name and line.strip().startswith("version "):
            out[name] = _dep(name, line.split(None, 1)[1].strip().strip('"'), number)
    if not out and text.strip():
        raise UnreadableError("no packages found")
    return out


def _yarn_name(spec: str) -> str:
    spec = spec.strip('"')
    at = spec.find("@", 1)  # scoped names start with @
    return spec[:at] if at > 0 else spec


def pnpm_lock(text: str) -> Parsed:
    """pnpm-lock.yaml 5.x (`/name/1.0.0`), 6.x (`/name@1.0.0`), 9.x (`name@1.0.0`)."""
    data = _yaml(text)
    if not isinstance(data, dict) or "lockfileVersion" not in data:
        raise UnreadableError("no lockfileVersion")
    out: Parsed = {}
    direct: set[str] = set()
    importers = data.get("importers") or {".": data}
    for importer in importers.values():
        for section in ("dependencies", "devDependencies", "optionalDependencies"):
            direct.update((importer or {}).get(section) or {})
    for key in data.get("packages") or {}:
        name, version = _pnpm_key(str(key))
        if name:
            out[name] = _dep(name, version, None, name in direct)
    return out


def _pnpm_key(key: str) -> tuple[str | None, str]:
    key = key.lstrip("/").split("(", 1)[0]
    if "@" in key[1:]:
        at = key.rfind("@")
        return key[:at], key[at + 1 :]
    parts = key.rsplit("/", 1)  # 5.x: name/version
    return (parts[0], parts[1]) if len(parts) == 2 else (None, "")


# --- Go, Rust, Ruby, PHP ---------------------------------------------------------------------


def go_mod(text: str) -> Parsed:
    out: Parsed = {}
    block = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("//", 1)[0].strip()
        indirect = "// indirect" in raw
        if line.startswith("require ("):
            block = True
            continue
        if block and line == ")":
            block = False
            continue
        if line.startswith("require "):
            line = line.removeprefix("require ").strip()
        elif not block:
            continue
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0]] = _dep(parts[0], parts[1], number, not indirect)
    return out


def cargo_toml(text: str) -> Parsed:
    data = _toml(text)
    find = _line_finder(text)
    out: Parsed = {}
    tables = [data.get(t) for t in ("dependencies", "dev-dependencies", "build-dependencies")]
    tables.append((data.get("workspace") or {}).get("dependencies"))
    for table in tables:
        for name, spec in (table or {}).items():
            version = (
                spec
                if isinstance(spec, str)
                else str(spec.get("version") or spec.get("git") or "*")
            )
            out[name] = _dep(name, version, find(name), True)
    return out


def cargo_lock(text: str) -> Parsed:
    data = _toml(text)
    out: Parsed = {}
    for package in data.get("package") or []:
        if "source" in package:  # the workspace's own crates have no source
            out[package["name"]] = _dep(package["name"], package["version"])
    return out


def gemfile_lock(text: str) -> Parsed:
    out: Parsed = {}
    section = ""
    direct: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if line and not line.startswith(" "):
            section = line.strip()
            continue
        if section in ("GEM", "GIT", "PATH"):
            match = re.match(r"^    ([^\s(]+) \(([^)]+)\)$", line)
            if match:
                version = match.group(2).split("-")[0] if "-" in match.group(2) else match.group(2)
                out[match.group(1)] = _dep(match.group(1), version, number)
        elif section == "DEPENDENCIES":
            direct.add(line.strip().split(" ", 1)[0].rstrip("!"))
    if not out and "GEM" not in text:
        raise UnreadableError("no GEM section")
    return {k: Dep(d.name, d.version, d.line, k in direct, d.exact) for k, d in out.items()}


def composer_json(text: str) -> Parsed:
    data = _json(text)
    find = _line_finder(text)
    out: Parsed = {}
    for section in ("require", "require-dev"):
        for name, spec in (data.get(section) or {}).items():
            if name != "php" and not name.startswith("ext-"):
                out[name] = _dep(name, str(spec), find(f'"{name}"'), True)
    return out


def composer_lock(text: str) -> Parsed:
    data = _json(text)
    out: Parsed = {}
    for section in ("packages", "packages-dev"):
        for package in data.get(section) or []:
            out[package["name"]] = _dep(package["name"], str(package["version"]).removeprefix("v"))
    return out


# --- images and actions -----------------------------------------------------------------------

_FROM = re.compile(
    # registry host:port/ only before a slash, so `python:3.11` is an image and a tag
    r"^\s*FROM\s+(?:--platform=\S+\s+)?([^\s@:]+(?::\d+(?=/))?(?:/[^\s@:]+)*)"
    r"(?::([^\s@]+))?(?:@(\S+))?",
    re.IGNORECASE,
)


def dockerfile(text: str) -> Parsed:
    out: Parsed = {}
    stages: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FROM.match(line)
        if not match:
            continue
        image, tag, digest = match.groups()
        alias = re.search(r"\bAS\s+(\S+)", line, re.I)
        if image.lower() not in stages and image.lower() != "scratch":
            out[image] = _dep(image, digest or tag or "latest", number, True)
        if alias:
            stages.add(alias.group(1).lower())
    return out


_USES = re.compile(r"^\s*-?\s*uses:\s*['\"]?([^\s'\"#@]+)@([^\s'\"#]+)")


def actions(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _USES.match(line)
        if match and not match.group(1).startswith(("./", "docker://")):
            out[match.group(1)] = _dep(match.group(1), match.group(2), number, True)
    return out


# --- JVM, .NET, Elixir, Pipenv, Bundler manifests ----------------------------------------


def pom_xml(text: str) -> Parsed:
    """Maven: dependencies (and dependencyManagement), `${property}` resolved."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise UnreadableError(f"not valid XML: {error}") from None
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    props = {
        child.tag.removeprefix(ns): (child.text or "").strip()
        for child in root.findall(f"{ns}properties/*")
    }
    for key in ("version", "parent/version"):
        value = root.findtext(f"{ns}{key.replace('/', f'/{ns}')}")
        if value:
            props.setdefault(f"project.{key.split('/')[-1]}", value.strip())

    def resolve(value: str) -> str:
        return re.sub(r"\$\{([^}]+)\}", lambda m: props.get(m.group(1), m.group(0)), value)

    find = _line_finder(text)
    out: Parsed = {}
    for dep in root.iter(f"{ns}dependency"):
        group, artifact = dep.findtext(f"{ns}groupId"), dep.findtext(f"{ns}artifactId")
        version = dep.findtext(f"{ns}version")
        if group and artifact and version:
            name = f"{group.strip()}:{artifact.strip()}"
            out[name] = _dep(name, resolve(version.strip()), find(artifact.strip()), True)
    return out


_GRADLE = re.compile(
    r"""\b(?:implementation|api|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly|kapt|ksp"""
    r"""|annotationProcessor|classpath|compile|testCompile)\s*\(?\s*["']([\w.\-]+):([\w.\-]+):([^"'\s@]+)["']"""
)


def gradle(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _GRADLE.finditer(line):
            name = f"{match.group(1)}:{match.group(2)}"
            out[name] = _dep(name, match.group(3), number, True)
    return out


def version_catalog(text: str) -> Parsed:
    """gradle/libs.versions.toml: [libraries] and [plugins] with `version.ref`."""
    data = _toml(text)
    versions = {
        k: str(v if isinstance(v, str) else v.get("strictly") or v.get("require") or v)
        for k, v in (data.get("versions") or {}).items()
    }
    find = _line_finder(text)
    out: Parsed = {}
    for alias, spec in (data.get("libraries") or {}).items():
        if isinstance(spec, str):
            group, artifact, version = [*spec.split(":"), "", ""][:3]
            name = f"{group}:{artifact}"
        else:
            name = spec.get("module") or f"{spec.get('group')}:{spec.get('name')}"
            version = _catalog_version(spec.get("version"), versions)
        out[name] = _dep(name, version or "*", find(alias), True)
    for alias, spec in (data.get("plugins") or {}).items():
        if isinstance(spec, dict) and spec.get("id"):
            out[spec["id"]] = _dep(
                spec["id"],
                _catalog_version(spec.get("version"), versions) or "*",
                find(alias),
                True,
            )
    return out


def _catalog_version(value: object, versions: dict[str, str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "ref" in value:
            return versions.get(str(value["ref"]), "*")
        return str(value.get("strictly") or value.get("require") or value.get("prefer") or "*")
    return ""


_NUGET = re.compile(
    r"""<(?:PackageReference|PackageVersion|package)\s[^>]*?(?:Include|Update|id)\s*=\s*"([^"]+)"[^>]*?(?:Version|version)\s*=\s*"([^"]+)\""""
)


def nuget_project(text: str) -> Parsed:
    """*.csproj/fsproj/vbproj, Directory.Packages.props, packages.config."""
    out: Parsed = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _NUGET.finditer(line):
            out[match.group(1)] = _dep(match.group(1), match.group(2), number, True)
    if not out and "<" in text and "</" not in text and "/>" not in text:
        raise UnreadableError("not an XML project file")
    return out


def nuget_lock(text: str) -> Parsed:
    data = _json(text)
    out: Parsed = {}
    for framework in (data.get("dependencies") or {}).values():
        for name, info in framework.items():
            out[name] = _dep(
                name, str(info.get("resolved") or "*"), None, info.get("type") == "Direct"
            )
    return out


_MIX_DEP = re.compile(r"\{\s*:(\w+)\s*,\s*\"([^\"]+)\"")
_MIX_LOCK = re.compile(
    r"^\s*\"([\w-]+)\":\s*\{\s*:(?:hex|git)\s*,\s*:?[\w\"]+\s*,\s*\"([^\"]+)\"", re.MULTILINE
)


def mix_exs(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _MIX_DEP.finditer(line):
            out[match.group(1)] = _dep(match.group(1), match.group(2), number, True)
    return out


def mix_lock(text: str) -> Parsed:
    out: Parsed = {}
    for match in _MIX_LOCK.finditer(text):
        out[match.group(1)] = _dep(
            match.group(1), match.group(2), text.count("\n", 0, match.start()) + 1
        )
    if not out and text.strip() not in ("", "%{}"):
        raise UnreadableError("no packages found")
    return out


def pipfile(text: str) -> Parsed:
    data = _toml(text)
    find = _line_finder(text)
    out: Parsed = {}
    for section in ("packages", "dev-packages"):
        for name, spec in (data.get(section) or {}).items():
            version = (
                spec
                if isinstance(spec, str)
                else str(spec.get("version") or spec.get("git") or "*")
            )
            key = canonicalize_name(name)
            out[key] = _dep(key, version.removeprefix("=="), find(name), True)
    return out


_GEM = re.compile(r"""^\s*gem\s+["']([^"']+)["'](?:\s*,\s*["']([^"']+)["'])?""")


def gemfile(text: str) -> Parsed:
    out: Parsed = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _GEM.match(line)
        if match:
            out[match.group(1)] = _dep(match.group(1), match.group(2) or "*", number, True)
    return out
