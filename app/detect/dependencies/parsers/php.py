"""Composer: composer.json and composer.lock."""

from __future__ import annotations

from app.detect.dependencies.parsers.common import Parsed, line_finder, load_json, new_dep


def composer_json(text: str) -> Parsed:
    data = load_json(text)
    find = line_finder(text)
    out: Parsed = {}
    for section in ("require", "require-dev"):
        for name, spec in (data.get(section) or {}).items():
            if name != "php" and not name.startswith("ext-"):
                out[name] = new_dep(name, str(spec), find(f'"{name}"'), True)
    return out


def composer_lock(text: str) -> Parsed:
    data = load_json(text)
    out: Parsed = {}
    for section in ("packages", "packages-dev"):
        for package in data.get(section) or []:
            out[package["name"]] = new_dep(
                package["name"], str(package["version"]).removeprefix("v")
            )
    return out
