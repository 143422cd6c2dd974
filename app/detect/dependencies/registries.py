"""Where a project's package managers fetch packages from, as its configuration says:
registries and indexes (`.npmrc`, `.yarnrc`, `.yarnrc.yml`, `bunfig.toml`, pip's
`pip.conf`, requirements files' `--index-url`/`--extra-index-url`/`--find-links`,
uv's `uv.toml` and `[tool.uv]`, Poetry's and pdm's sources, Pipfile's `[[source]]`,
`.cargo/config.toml`, NuGet.Config, Gemfile, composer.json, Maven's
pom.xml and settings.xml, Gradle's build and settings scripts), Go's `replace`
directives, and package.json's `overrides`/`resolutions` that put another source in
place of a package.

A source the head names and the base did not is `dependency.source-changed`
(medium): every package resolved through it comes from there — a registry moved to
another host, an `--extra-index-url` beside PyPI (the classic opening for dependency
confusion: the higher version of a name wins, wherever it is published), a module
replaced by a fork. No version moves and no manifest entry changes, so nothing else
here would say it. A source the change removes is not reported (back to the default).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from app.detect.base import Change, ChangedFile, FileStatus, Finding, Kind, Severity, split_lines
from app.detect.dependencies.changes import SOURCE_CHANGED
from app.detect.dependencies.origins import address
from app.detect.dependencies.parsers.common import UnreadableError, load_json, load_toml
from app.detect.dependencies.parsers.go import directives
from app.detect.dependencies.sources import local, remote_source

_NPMRC = re.compile(r"^\s*(?:@[^:\s=]+:)?registry\s*=\s*(\S+)")
_YARNRC = re.compile(r"""^\s*"?(?:@[^:\s"]+:)?registry"?\s+"?([^"\s]+)""")
_YARNRC_YML = re.compile(r"""^\s*npmRegistryServer\s*:\s*["']?([^"'\s#]+)""")
_PIP_KEY = re.compile(r"^\s*(index-url|extra-index-url|find-links)\s*[=:]\s*(.*)$")
_REQUIREMENT = re.compile(
    r"^\s*(?:-i|--index-url|--extra-index-url|-f|--find-links)(?:\s+|=)(\S+)", re.MULTILINE
)
_NUGET = re.compile(r"""<add\s[^>]*value\s*=\s*["']([a-z][a-z0-9+.-]*://[^"']+)["']""", re.I)
_URL = re.compile(r"""["']?([a-z][a-z0-9+.-]*://[^\s"',}]+|git@[^\s"',}]+)""", re.IGNORECASE)
_REQUIREMENTS = re.compile(r"(?:^|/)(?:requirements[^/]*|[^/]*constraints[^/]*)\.(?:txt|in)$")
_REQUIREMENTS_DIR = re.compile(r"(?:^|/)requirements/[^/]+\.(?:txt|in)$")
# keys whose value names where packages come from, in the TOML files below
_TOML_KEYS = {"url", "index-url", "extra-index-url", "find-links", "git", "registry", "index"}


def config_file(path: str) -> bool:
    """Whether `path` is a file whose change can move where packages come from."""
    return _reader(path) is not None


def registry_findings(changed: ChangedFile) -> list[Finding]:
    """The sources `changed` names at its head and not at its base."""
    read = _reader(changed.path)
    if read is None or changed.status == FileStatus.REMOVED:
        return []
    base = "" if changed.status == FileStatus.ADDED else changed.base_text()
    head = changed.head_text()
    if base is None or head is None:
        return []  # contents unknown: the file's own detector says so
    before = {_shown(s) for s in read(base) if _remote(s)}
    added = sorted({_shown(s) for s in read(head) if _remote(s)} - before - _PUBLIC)
    if not added:
        return []
    listed = ", ".join(added[:3]) + (f" and {len(added) - 3} more" if len(added) > 3 else "")
    return [
        Finding.for_file(
            Kind.DEPENDENCY,
            changed.path,
            Severity.MEDIUM,
            SOURCE_CHANGED,
            f"{changed.path} now names a package source the base did not: {listed}; "
            "every package resolved through it comes from there",
            change=Change.OTHER,
            extra={"sources": tuple(added)},
        )
    ]


# The public registries every tool uses by default: naming one changes nothing.
_PUBLIC = {
    "https://registry.npmjs.org",
    "https://registry.npmjs.org/",
    "https://pypi.org/simple",
    "https://pypi.org/simple/",
    "https://api.nuget.org/v3/index.json",
    "sparse+https://index.crates.io/",
    "https://rubygems.org",
    "https://rubygems.org/",
    "https://repo.packagist.org",
    "https://repo.maven.apache.org/maven2",
    "https://repo1.maven.org/maven2",
    "https://plugins.gradle.org/m2",
    "https://plugins.gradle.org/m2/",
}


def _remote(source: str) -> bool:
    """A source on another machine: not a directory (`-f ./wheels`), nor a variable the
    environment fills (`registry=${NPM_REGISTRY}`: what it names is not in the diff)."""
    return " => " in source or "://" in source or source.startswith("git@")


def _shown(source: str) -> str:
    """A source as reported: its address without a user part or query (a token)."""
    if " => " in source:  # go.mod: `module => replacement`
        return source
    return address(source)


# Files whose sources one pattern finds, anywhere in the text (group 1, or the last
# group that matched).
_FOUND_IN: dict[str, re.Pattern[str]] = {
    # `source "https://gems.example"`, `gem "x", git: "https://…"`
    "Gemfile": re.compile(
        r"""^\s*(?:source\s*\(?\s*["']([^"']+)["']|gem\b.*?\bgit:\s*["']([^"']+)["'])""",
        re.MULTILINE,
    ),
    # <repository>, <pluginRepository> or <mirror> (pom.xml, Maven's settings.xml)
    "pom.xml": re.compile(
        r"<(repository|pluginRepository|mirror)\b[^>]*>(?:(?!</\1>).)*?<url>\s*([^<\s]+)", re.S
    ),
    # maven { url "…" }, maven { url = uri("…") }, maven("…")
    "build.gradle": re.compile(
        r"""\b(?:maven|ivy)\s*(?:\{[^}]*?\burl\s*=?\s*(?:uri\()?\s*|\(\s*)["']([^"']+)["']""",
        re.S,
    ),
}
_FOUND_IN["settings.xml"] = _FOUND_IN["pom.xml"]
_PUBLISHING = re.compile(r"<distributionManagement>.*?</distributionManagement>", re.S)
for _gradle in ("build.gradle.kts", "settings.gradle", "settings.gradle.kts"):
    _FOUND_IN[_gradle] = _FOUND_IN["build.gradle"]


def _reader(path: str) -> Callable[[str], Iterator[str]] | None:
    name = path.rpartition("/")[2]
    lower = name.lower()
    if name == ".npmrc":
        return _lines(_NPMRC)
    if name == ".yarnrc":
        return _lines(_YARNRC)
    if name == ".yarnrc.yml":
        return _lines(_YARNRC_YML)
    if lower in {"pip.conf", "pip.ini"}:
        return _pip_conf
    if _REQUIREMENTS.search(path) or _REQUIREMENTS_DIR.search(path):
        return lambda text: (m.group(1) for m in _REQUIREMENT.finditer(text))
    if lower == "nuget.config":
        return lambda text: (m.group(1) for m in _NUGET.finditer(text))
    if name in _FOUND_IN:
        pattern = _FOUND_IN[name]
        # where a Maven project publishes is not where it fetches from
        return lambda text: (
            m.group(m.lastindex or 1) for m in pattern.finditer(_PUBLISHING.sub("", text))
        )
    if name == "composer.json":
        return _composer
    if name == "go.mod":
        return _go_replacements
    if name == "package.json":
        return _overrides
    if name in _TOML_ROOTS or path.endswith((".cargo/config.toml", ".cargo/config")):
        roots = _TOML_ROOTS.get(name, (("source",), ("registries",)))
        return lambda text: _toml_sources(text, roots)
    return None


def _lines(pattern: re.Pattern[str]) -> Callable[[str], Iterator[str]]:
    def read(text: str) -> Iterator[str]:
        for line in split_lines(text):
            if not line.lstrip().startswith(("#", ";", "//")) and (found := pattern.match(line)):
                yield found.group(1)

    return read


def _pip_conf(text: str) -> Iterator[str]:
    """`index-url`, `extra-index-url` and `find-links`, each value on its line or on
    the indented lines that continue it."""
    taking = False
    for line in split_lines(text):
        found = _PIP_KEY.match(line)
        if found:
            taking = True
            yield from found.group(2).split()
        elif taking and line[:1] in (" ", "\t") and line.strip():
            yield from line.split()
        else:
            taking = False


def _go_replacements(text: str) -> Iterator[str]:
    """`replace a => b v1` (alone or in a block) where `b` is another module, not a
    directory of the repository."""
    for _, line, _ in directives(text, "replace"):
        old, arrow, new = line.partition("=>")
        target = new.split()
        if arrow and target and not local(target[0]):
            yield f"{old.split()[0] if old.split() else old} => {target[0]}"


def _composer(text: str) -> Iterator[str]:
    """composer.json's `repositories` (a list, or keyed by name): their `url`s."""
    try:
        data: Any = load_json(text)
    except UnreadableError:
        return
    repositories = data.get("repositories")
    items = repositories.values() if isinstance(repositories, dict) else repositories or []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            yield item["url"]


def _overrides(text: str) -> Iterator[str]:
    """npm's `overrides`, yarn's `resolutions` and pnpm's `pnpm.overrides` that put a
    remote source (`npm:other@1`, a git URL, a tarball) in place of a package, however
    deep in the tree: `esm => npm:esm-wallaby`. A version or range is the same
    publisher's, and is not one."""
    try:
        data: Any = load_json(text)
    except UnreadableError:
        return  # the manifest's own parser reports it
    pnpm = data.get("pnpm") if isinstance(data.get("pnpm"), dict) else {}
    for table in (data.get("overrides"), data.get("resolutions"), pnpm.get("overrides")):
        yield from _replaced(table)


def _replaced(table: object) -> Iterator[str]:
    if not isinstance(table, dict):
        return
    for key, value in table.items():
        if isinstance(value, dict):  # npm: overrides nested under a package
            yield from _replaced(value)
        elif isinstance(value, str) and (source := remote_source(value)):
            itself = source == f"npm:{_package_of(str(key))}"  # `npm:pro@latest`
            if not itself:
                yield f"{key} => {source}"


def _package_of(key: str) -> str:
    """The package an override's key names: `lodash`, `@s/n` from `@s/n@^2`,
    `**/lodash`, `a/b` (yarn: `b` under `a`)."""
    path = key.rsplit("**/", 1)[-1]
    parts = path.split("/")
    name = "/".join(parts[-2:]) if len(parts) > 1 and parts[-2].startswith("@") else parts[-1]
    at = name.find("@", 1)
    return name[:at] if at > 0 else name


# The parts of each TOML file that say where packages come from (not project.urls).
_TOML_ROOTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "pyproject.toml": (
        ("tool", "uv"),
        ("tool", "poetry", "source"),
        ("tool", "poetry", "dependencies"),
        ("tool", "poetry", "group"),
        ("tool", "pdm", "source"),
    ),
    "uv.toml": ((),),
    "Pipfile": (("source",), ("packages",), ("dev-packages",)),
    "bunfig.toml": (("install",),),
}


def _toml_sources(text: str, roots: tuple[tuple[str, ...], ...]) -> Iterator[str]:
    try:
        data: Any = load_toml(text)
    except UnreadableError:
        return  # the file's own parser reports it
    for root in roots:
        node = data
        for key in root:
            node = node.get(key) if isinstance(node, dict) else None
        yield from _urls(node, None)


def _urls(node: object, key: str | None) -> Iterator[str]:
    """URL-like strings under `node` at keys that name a source (any key under bun's
    `scopes`, which are named for the scope)."""
    if isinstance(node, dict):
        for child_key, child in node.items():
            yield from _urls(child, "url" if key == "scopes" else str(child_key))
    elif isinstance(node, list):
        for child in node:
            yield from _urls(child, key)
    elif isinstance(node, str) and key in _TOML_KEYS:
        yield from (m.group(1) for m in _URL.finditer(node))
