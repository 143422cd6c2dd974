"""Composer: composer.json and composer.lock."""

from __future__ import annotations

from typing import Any

from app.detect.dependencies.parsers.common import (
    Parsed,
    keep_runtime,
    line_finder,
    load_json,
    new_dep,
)


def composer_json(text: str) -> Parsed:
    data = load_json(text)
    find = line_finder(text)
    out: Parsed = {}
    for section in ("require", "require-dev"):
        for name, spec in (data.get(section) or {}).items():
            if name != "php" and not name.startswith("ext-"):
                dev = section == "require-dev"
                keep_runtime(out, new_dep(name, str(spec), find(f'"{name}"'), True, dev=dev))
    return out


def composer_lock(text: str) -> Parsed:
    data = load_json(text)
    out: Parsed = {}
    for section in ("packages", "packages-dev"):
        for package in data.get(section) or []:
            version = str(package["version"]).removeprefix("v")
            origin, digest = _fetched(package, version)
            dev = section == "packages-dev"
            dep = new_dep(package["name"], version, dev=dev, origin=origin, digest=digest)
            keep_runtime(out, dep)
    return out


def _fetched(package: dict[str, Any], version: str) -> tuple[str | None, str | None]:
    """The repository (or archive) a locked package comes from, and the commit its
    version is: a tag that moves is other code. A branch version (`dev-main`,
    `1.x-dev`) moves with every update, so its commit is not kept."""
    source: dict[str, Any] = package.get("source") or {}
    dist: dict[str, Any] = package.get("dist") or {}
    if not isinstance(source, dict) or not isinstance(dist, dict):
        return None, None
    url = source.get("url") or dist.get("url")
    reference = source.get("reference") or dist.get("reference")
    branch = version.startswith("dev-") or version.endswith("-dev")
    digest = f"commit:{reference}" if isinstance(reference, str) and not branch else None
    return (url if isinstance(url, str) else None), digest
