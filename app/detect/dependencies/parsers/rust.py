"""Cargo: Cargo.toml and Cargo.lock."""

from __future__ import annotations

from app.detect.dependencies.parsers.common import Parsed, line_finder, load_toml, new_dep


def cargo_toml(text: str) -> Parsed:
    data = load_toml(text)
    find = line_finder(text)
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
            out[name] = new_dep(name, version, find(name), True)
    return out


def cargo_lock(text: str) -> Parsed:
    data = load_toml(text)
    out: Parsed = {}
    for package in data.get("package") or []:
        if "source" in package:  # the workspace's own crates have no source
            out[package["name"]] = new_dep(package["name"], package["version"])
    return out
