"""How a version changed, by the ecosystem's own rules.

PyPI uses PEP 440 (`packaging`); Go strips its `v` and `+incompatible`; the
rest read semver-like dotted numbers with prereleases ordered before the
release. A 0.x minor is a major only where ranges are carets (npm, Cargo,
Composer, Hex, pub); a calendar version's new year is a minor. A change
between things that are not both versions (ranges, git refs, commit pins,
tags like `latest` or `main`) is `other`.
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from app.detect.base import Change

_NUMBERS = re.compile(r"^v?(\d+(?:\.\d+)*)(?:[-.]?([0-9A-Za-z][0-9A-Za-z.-]*))?(?:\+.*)?$")


def _key(version: str, ecosystem: str) -> tuple[tuple[int, ...], tuple[int, str]] | None:
    """A sort key: numeric parts, then (1, "") for a release or (0, tag) for a prerelease."""
    if ecosystem == "pypi":
        try:
            parsed = Version(version)
        except InvalidVersion:
            return None
        pre = parsed.pre or parsed.dev
        return parsed.release, (0, str(pre)) if pre is not None else (1, "")
    version = version.removesuffix("+incompatible")
    match = _NUMBERS.match(version)
    if match is None:
        return None
    numbers = tuple(int(n) for n in match.group(1).split("."))
    tag = match.group(2)
    # Maven and others write qualifiers like "RELEASE"/"Final" for releases
    if tag is None or tag.lower() in ("release", "final", "ga"):
        return numbers, (1, "")
    return numbers, (0, tag)


_SIMPLE_RANGE = re.compile(r"^(?:\^|~>|~=|~|>=|==|=)?\s*(v?\d[^\s,|<>]*)$")


def _floor(spec: str) -> str:
    """The version a simple range starts at (`^1.2` -> `1.2`); other text unchanged."""
    match = _SIMPLE_RANGE.match(spec.strip())
    return match.group(1) if match else spec


def _pep440_downgrade(old: str, new: str) -> bool:
    """PEP 440's full order (post, dev and local releases included)."""
    try:
        return Version(_floor(new)) < Version(_floor(old))
    except InvalidVersion:
        return False


def _pep440_within(old: str, new: str) -> bool:
    """`>=3.6` before, 8.7.0 after (a lockfile now pins what the range allowed): no
    version moved that the project did not already accept."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not _OPERATOR.match(old):
        return False
    try:
        return Version(new) in SpecifierSet(old)
    except (InvalidSpecifier, InvalidVersion):
        return False


_OPERATOR = re.compile(r"^\s*(?:[<>=!~]=?|===)")


# Ecosystems whose usual ranges are carets: 0.x minors are breaking there.
_CARET = frozenset(("npm", "cargo", "composer", "hex", "pub"))


def _calendar(first: int) -> bool:
    return 1990 <= first <= 2999


_COMMIT = re.compile(r"^[0-9a-f]{40}$")
# An action pinned to a commit, with the tag its comment names (parsers/actions.py)
_TAGGED_PIN = re.compile(r"^(?P<tag>\S+) \((?P<commit>[0-9a-f]{12})\)$")


def _pin(version: str) -> tuple[str | None, str | None]:
    """(tag, commit) of a GitHub Actions ref: a tagged pin, a bare commit or a tag."""
    tagged = _TAGGED_PIN.match(version)
    if tagged:
        return tagged.group("tag"), tagged.group("commit")
    return (None, version[:12]) if _COMMIT.match(version) else (version, None)


def _actions(old: str, new: str) -> Change | None:
    """Commit pins of actions: by the tags their comments name. A commit that moves
    with no tag to say how far, or under an unchanged tag, is new code running with
    the repository's secrets: read as a major. Pinning or unpinning is `other`."""
    (old_tag, old_commit), (new_tag, new_commit) = _pin(old), _pin(new)
    if old_commit is None and new_commit is None:
        return None  # tags both: the usual order
    if untagged_move(old, new):
        return Change.MAJOR
    if old_commit is None or new_commit is None:
        return Change.OTHER  # pinned at what its tag comment names, or unpinned
    if old_tag is None or new_tag is None or old_tag == new_tag:
        return Change.OTHER  # the same commit
    return classify("github-actions", old_tag, new_tag)


def untagged_move(old: str, new: str) -> bool:
    """An action now at a commit that no tag names: moved from another commit, or pinned
    from a tag, with no tag comment (or an unchanged one) to say what it is."""
    (old_tag, old_commit), (new_tag, new_commit) = _pin(old), _pin(new)
    if new_commit is None or new_commit == old_commit:
        return False
    if old_commit is None:
        return new_tag is None  # pinned to a bare commit
    return old_tag is None or new_tag is None or old_tag == new_tag


def classify(ecosystem: str, old: str, new: str) -> Change:
    if ecosystem == "github-actions" and old != new and (pinned := _actions(old, new)):
        return pinned
    if old == new or _COMMIT.match(old) or _COMMIT.match(new):
        return Change.OTHER  # a pin to a commit (git deps) is no version order
    if ecosystem == "pypi" and _pep440_within(old, new):
        return Change.OTHER  # a range the new exact version was always allowed by
    if ecosystem == "pypi" and _pep440_downgrade(old, new):
        return Change.DOWNGRADE
    a, b = _key(_floor(old), ecosystem), _key(_floor(new), ecosystem)
    if a is None or b is None:
        return Change.OTHER
    width = max(len(a[0]), len(b[0]), 3)
    left = a[0] + (0,) * (width - len(a[0]))
    right = b[0] + (0,) * (width - len(b[0]))
    if (left, a[1]) > (right, b[1]):
        return Change.DOWNGRADE
    if left == right:
        return Change.PATCH  # only a prerelease tag moved
    # 0.x: where ranges are carets (npm's ^0.2 stops before 0.3), the minor number is
    # the breaking one; elsewhere nothing says 0.2 -> 0.3 breaks more than 1.2 -> 1.3.
    caret = ecosystem in _CARET and left[0] == 0 and right[0] == 0
    first = 1 if caret else 0
    if left[first] != right[first]:
        # calendar versions (certifi 2022.6.15 -> 2023.5.7): a new year is not a break
        return Change.MINOR if _calendar(left[0]) and _calendar(right[0]) else Change.MAJOR
    if left[first + 1] != right[first + 1]:
        return Change.MINOR if first == 0 else Change.PATCH
    return Change.PATCH
