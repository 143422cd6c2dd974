"""npm: package.json, package-lock v1-3 (and npm-shrinkwrap), yarn v1 and berry, pnpm 5/6/9."""

from __future__ import annotations

from collections.abc import Iterator

from app.detect.base import split_lines
from app.detect.dependencies.parsers.common import (
    Parsed,
    UnreadableError,
    keep_runtime,
    line_finder,
    load_json,
    load_yaml,
    new_dep,
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


def package_lock(text: str) -> Parsed:
    """npm lockfile v1 (nested `dependencies`), v2 and v3 (`packages`)."""
    data = load_json(text)
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
                out[name] = new_dep(name, version, None, top and name in direct)
        return out
    dependencies = data.get("dependencies")
    if not isinstance(dependencies, dict):
        raise UnreadableError("neither `packages` nor `dependencies`")
    for name, version in _v1(dependencies):
        out.setdefault(name, new_dep(name, version))
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
        data = load_yaml(text)
        if not isinstance(data, dict):
            raise UnreadableError("not a yarn berry lockfile")
        out: Parsed = {}
        for key, info in data.items():
            if key == "__metadata" or not isinstance(info, dict):
                continue
            package = _yarn_name(str(key).split(",")[0].strip())
            if "@workspace:" in str(key) or not info.get("version"):
                continue
            out[package] = new_dep(package, str(info["version"]))
        return out
    out = {}
    name: str | None = None
    for number, line in enumerate(split_lines(text), start=1):
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            if not line.rstrip().endswith(":"):
                raise UnreadableError(f"line {number}: expected a package header")
            name = _yarn_name(line.split(",")[0].strip().strip('"').rstrip(":"))
        elif name and line.strip().startswith("version "):
            out[name] = new_dep(name, line.split(None, 1)[1].strip().strip('"'), number)
    if not out and text.strip():
        raise UnreadableError("no packages found")
    return out


def _yarn_name(spec: str) -> str:
    spec = spec.strip('"')
    at = spec.find("@", 1)  # scoped names start with @
    return spec[:at] if at > 0 else spec


def pnpm_lock(text: str) -> Parsed:
    """pnpm-lock.yaml 5.x (`/name/1.0.0`), 6.x (`/name@1.0.0`), 9.x (`name@1.0.0`)."""
    data = load_yaml(text)
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
            out[name] = new_dep(name, version, None, name in direct)
    return out


def _pnpm_key(key: str) -> tuple[str | None, str]:
    key = key.lstrip("/").split("(", 1)[0]
    if "@" in key[1:]:
        at = key.rfind("@")
        return key[:at], key[at + 1 :]
    parts = key.rsplit("/", 1)  # 5.x: name/version
    return (parts[0], parts[1]) if len(parts) == 2 else (None, "")
