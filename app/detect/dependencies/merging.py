"""Each package's changes as the manifests and lockfiles of one project tell them,
merged into one finding: versions from the lockfile (exact), the place from the
manifest (where a person wrote it), weighed by what it is (direct or transitive,
development only, the project's own scope) and by what else changed."""

from __future__ import annotations

from dataclasses import dataclass

from app.detect.base import Change, Finding, Kind, Severity
from app.detect.dependencies.changes import change_of, describe, weighed
from app.detect.dependencies.formats import MANIFEST, project_of
from app.detect.dependencies.graph import LOCKFILE_ADDED
from app.detect.dependencies.parsers.common import Dep
from app.detect.dependencies.sources import remote_source

# (project directory, ecosystem, package name in lower case)
Key = tuple[str, str, str]


@dataclass
class Seen:
    """One package's change as one file tells it."""

    ecosystem: str
    name: str
    old: Dep | None
    new: Dep | None
    file: str
    role: str
    # from a lockfile this change adds: its entries pin what the manifests already ask
    # for (the lockfile is new, not the packages), unless a manifest adds them too
    introduced: bool = False
    # published under the project's own npm scope, as the base's package.json names it
    first_party: bool = False


def merged(seen: list[Seen], installed: dict[Key, str]) -> list[Finding | None]:
    """One finding per package and project (directory): versions from the lockfile
    (exact), place from the manifest (where a person wrote it)."""
    by_package: dict[Key, list[Seen]] = {}
    for item in seen:
        key = (project_of(item.file), item.ecosystem, item.name.lower())
        by_package.setdefault(key, []).append(item)
    already = {key for key, items in by_package.items() if key in installed and _asked(items)}
    # a package already installed pulls in nothing new: its manifest entry explains no
    # transitive addition (else naming one would make a hand-added package cheaper)
    explained = {
        key[0] for key, items in by_package.items() if key not in already and _explains(items)
    }
    findings: list[Finding | None] = []
    pinned: dict[str, list[Seen]] = {}
    for key, items in by_package.items():
        if all(item.introduced for item in items):
            pinned.setdefault(items[0].file, []).append(items[0])
        elif key in already:
            findings.append(_now_direct(items[0], installed[key]))
        else:
            findings.append(_package_finding(items, key[0] in explained))
    return findings + [_lockfile_added(file, items) for file, items in pinned.items()]


def _asked(items: list[Seen]) -> bool:
    """Only manifests changed for this package, each adding it by version or range (a
    git URL or an archive names a source the lockfile's entry does not)."""
    return all(
        i.role == MANIFEST
        and i.old is None
        and i.new is not None
        and not remote_source(i.new.version)
        for i in items
    )


def _now_direct(item: Seen, version: str) -> Finding:
    """A manifest asks for a package its lockfile installed before, at a version the
    change leaves as it was: nothing new to trust (the publisher's code already ran in
    the project's installs), so low, or info for development only, like an upgrade."""
    assert item.new is not None
    entry = item.new
    return Finding.for_line(
        Kind.DEPENDENCY,
        item.file,
        entry.line,
        Severity.INFO if entry.dev else Severity.LOW,
        "dependency.other",
        f"{entry.name} {entry.version} now asked for directly ({item.ecosystem}"
        + (", dev" if entry.dev else "")
        + f"; installed before as a transitive dependency, still at {version})",
        ecosystem=item.ecosystem,
        package=entry.name,
        from_version=version,
        to_version=version,
        change=Change.OTHER,
        extra={"direct": True} | ({"dev": True} if entry.dev else {}),
    )


def _lockfile_added(file: str, items: list[Seen]) -> Finding:
    """A lockfile this change adds, whose packages no manifest adds in the same change:
    it pins what was already asked for. One finding for it, not one per package."""
    ecosystem = items[0].ecosystem
    return Finding.for_file(
        Kind.DEPENDENCY,
        file,
        Severity.INFO,
        LOCKFILE_ADDED,
        f"{file} added: {len(items)} {ecosystem} packages pinned; no manifest in this "
        "change asks for a new one",
        ecosystem=ecosystem,
        change=Change.OTHER,  # classified: `changes: [added]` is not about it
    )


def _explains(items: list[Seen]) -> bool:
    """Whether this package's change can bring in new transitive packages: its version
    moved, or it is one the project asks for (a manifest entry, a direct lockfile one)."""
    for item in items:
        dep = item.new or item.old
        if dep is None:
            continue
        bumped = item.old is not None and item.new is not None
        # a lockfile that does not say what is direct: a package added there may be
        # asked for, and is itself reported at full weight
        asked = dep.direct is not False and (
            dep.direct is True or item.role == MANIFEST or item.new is not None
        )
        if bumped or asked:
            return True
    return False


def _package_finding(items: list[Seen], explained: bool) -> Finding | None:
    locked = next((i for i in items if i.role == "lockfile"), None)
    manifests = [i for i in items if i.role == "manifest"]
    first = manifests[0] if manifests else None
    declared = next((i for i in manifests if i.new is not None), first)
    place = declared or items[0]
    old, new = _versions(locked, items)
    before, after = (old.version if old else None), (new.version if new else None)
    if before == after:
        return None  # moved from one manifest to another (setup.cfg -> pyproject.toml)
    ecosystem = (locked or place).ecosystem
    change = change_of(ecosystem, before, after)
    entry = place.new or place.old  # as the manifest (else the lockfile) writes it
    source = entry if declared else (new or old)
    assert entry is not None  # every change has a side
    assert source is not None
    # a manifest's entry is direct unless the file says otherwise (pip-compile's `via`)
    direct = (source.direct is not False) if declared else source.direct
    notes = _lowering(items, direct, source)
    lowered = len(notes)
    name = source.name
    if (locked or place).name != name:  # keyed name@version: one more copy of it
        notes.append("another copy beside the one the project resolves")
    if direct is False and change == Change.ADDED and not explained:
        # nothing the project asks for changed, so nothing pulled this package in: a
        # lockfile (or a `# via` comment) edited by hand must not make it cheaper
        notes.append("yet nothing that could pull it in changed")
        lowered -= 1
    rule, severity = weighed(ecosystem, before, after, change, lowered)
    message = describe(name, before, after, change, ecosystem, *notes)
    moved = _moved_from(items, place)
    also = sorted({i.file for i in items} - {place.file} - set(moved))
    return Finding.for_line(
        Kind.DEPENDENCY,
        place.file,
        entry.line,
        severity,
        rule,
        message
        + (f"; also in {', '.join(also)}" if also else "")
        + (f"; moved from {', '.join(moved)}" if moved else ""),
        ecosystem=ecosystem,
        package=name,
        from_version=before,
        to_version=after,
        change=change,
        extra=({"direct": direct} if direct is not None else {})
        | ({"dev": True} if source.dev else {})
        | ({"also_in": tuple(also)} if also else {}),
    )


def _lowering(items: list[Seen], direct: bool | None, source: Dep) -> list[str]:
    """What makes a package's change one level lower each: transitive, development-only,
    from the project's own npm scope, TypeScript declarations (`@types/*`: DefinitelyTyped's
    scope, no code that runs)."""
    notes = (["transitive"] if direct is False else []) + (["dev"] if source.dev else [])
    if any(item.first_party for item in items):
        notes.append("the project's own npm scope")
    if items[0].ecosystem == "npm" and source.name.startswith("@types/"):
        notes.append("type declarations only")
    return notes


def _versions(locked: Seen | None, items: list[Seen]) -> tuple[Dep | None, Dep | None]:
    """Before and after: the lockfile's, else across the project's manifests (a package
    removed from one and added to another moved, it was not added)."""
    if locked is not None and locked.introduced:  # no lockfile before: the manifest's word
        old = next((i.old for i in items if i.role == MANIFEST and i.old is not None), None)
        return old, locked.new
    if locked is not None:
        return locked.old, locked.new
    old = next((i.old for i in items if i.old is not None), None)
    new = next((i.new for i in items if i.new is not None), None)
    return old, new


def _moved_from(items: list[Seen], place: Seen) -> list[str]:
    return sorted(
        {i.file for i in items if i.role == "manifest" and i.new is None and i is not place}
    )
