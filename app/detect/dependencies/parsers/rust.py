"""Cargo: Cargo.toml and Cargo.lock."""

from __future__ import annotations

from app.detect.dependencies.parsers.common import (
    Parsed,
    keep_runtime,
    line_finder,
    load_toml,
    new_dep,
)


def cargo_toml(text: str) -> Parsed:
    data = load_toml(text)
    find = line_finder(text)
    out: Parsed = {}
    sections = (("dependencies", False), ("dev-dependencies", True), ("build-dependencies", False))
    tables = [(data.get(t), dev) for t, dev in sections]
    tables.append(((data.get("workspace") or {}).get("dependencies"), False))
    for table, dev in tables:
        for name, spec in (table or {}).items():
            version = (
                spec
                if isinstance(spec, str)
                else str(spec.get("version") or spec.get("git") or "*")
            )
            keep_runtime(out, new_dep(name, version, find(name), True, dev=dev))
    return out


def cargo_lock(text: str) -> Parsed:
    data = load_toml(text)
    out: Parsed = {}
    for package in data.get("package") or []:
        if "source" in package:  # the workspace's own crates have no source
            out[package["name"]] = new_dep(package["name"], package["version"])
    return out
