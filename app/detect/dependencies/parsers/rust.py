"""Cargo: Cargo.toml and Cargo.lock."""

from __future__ import annotations

from app.detect.dependencies.parsers.common import (
    Dep,
    Parsed,
    keep_runtime,
    line_finder,
    load_toml,
    new_dep,
    with_copies,
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
    """Crates from a registry or git; direct when one of the workspace's own crates
    (no `source`) lists it, transitive otherwise. A file whose own crates list nothing
    (an old or trimmed lockfile) does not say: every crate is then of unknown standing.
    A crate locked at several versions (`syn` 1 and 2) is compared copy by copy, its
    primary copy the one the workspace names (`"syn 2.0.60"` where it is ambiguous)."""
    data = load_toml(text)
    packages = data.get("package") or []
    own = [p for p in packages if "source" not in p]
    if isinstance(data.get("root"), dict):  # lockfile format 1 keeps the root apart
        own.append(data["root"])
    entries = [entry.split() for p in own for entry in p.get("dependencies") or []]
    asked = {entry[0] for entry in entries}
    primary = {entry[0]: entry[1] for entry in entries if len(entry) > 1}
    copies: dict[str, list[Dep]] = {}
    for package in packages:
        if "source" in package:
            name = package["name"]
            direct = (name in asked) if asked else None
            dep = new_dep(
                name,
                package["version"],
                None,
                direct,
                origin=package["source"],
                digest=package.get("checksum"),
            )
            copies.setdefault(name, []).append(dep)
    return with_copies(copies, primary)
