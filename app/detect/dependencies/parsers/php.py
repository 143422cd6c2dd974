"""Composer: composer.json and composer.lock."""

from __future__ import annotations

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
            dep = new_dep(package["name"], version, dev=section == "packages-dev")
            keep_runtime(out, dep)
    return out
