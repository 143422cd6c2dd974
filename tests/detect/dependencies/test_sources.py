"""A package moved to another source, and an action pinned to a commit no tag names:
the two changes security's built-in role calls for whatever their kind."""

from __future__ import annotations

import json

import pytest

from app.detect.base import Change, Severity
from app.detect.dependencies.sources import new_source, remote_source
from tests.detect.dependencies.helpers import DETECTOR, modified

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"


@pytest.mark.parametrize(
    ("spec", "source"),
    [
        ("^1.3.0", None),
        (">=2.0,<3", None),
        ("latest", None),
        ("file:../shared", None),  # the repository's own code
        ("workspace:*", None),
        ("./vendor/pkg", None),
        ("github:attacker/left-pad", "github.com/attacker/left-pad"),
        ("attacker/left-pad#main", "github.com/attacker/left-pad"),
        ("gitlab:org/tool", "gitlab.com/org/tool"),
        ("git+https://github.com/org/repo.git#v1.2.0", "github.com/org/repo"),
        ("git+https://github.com/org/repo.git@v2#egg=repo", "github.com/org/repo"),
        ("git+ssh://git@github.com/org/repo.git", "github.com/org/repo"),
        ("git@github.com:org/repo.git", "github.com/org/repo"),
        ("git+https://github.com/org/repo?rev=4f2a#4f2a9c", "github.com/org/repo"),  # Cargo
        ("https://example.com/dist/pkg-1.0.tar.gz", "example.com"),
        ("https://github.com/org/repo/archive/v1.2.tar.gz", "github.com/org/repo"),
        ("npm:@evil/left-pad@^1.3.0", "npm:@evil/left-pad"),
    ],
)
def test_the_source_a_requirement_names(spec: str, source: str | None) -> None:
    assert remote_source(spec) == source


def test_a_new_source_is_not_a_new_ref_of_the_same_one() -> None:
    same = ("git+https://github.com/org/repo.git@v1", "git+https://github.com/org/repo.git@v2")
    assert not new_source(*same)
    assert new_source("git+https://github.com/org/repo.git@v1", "git+https://github.com/fork/repo")
    assert new_source("^1.3.0", "github:attacker/left-pad")
    assert not new_source("github:org/tool", "^2.0.0")  # back to the registry
    # one repository spelt two ways (ArchiveBox's readability-extractor, 0.7.2)
    assert not new_source(
        "git+https://github.com/ArchiveBox/readability-extractor.git",
        "github:ArchiveBox/readability-extractor",
    )
    # the same project under a new owner is a new source (its 0.6.0: pirate -> ArchiveBox)
    assert new_source(
        "git+https://github.com/pirate/readability-extractor.git",
        "git+https://github.com/ArchiveBox/readability-extractor.git",
    )
    archives = "https://github.com/org/repo/archive/v{}.tar.gz"
    assert not new_source(archives.format("1.0"), archives.format("1.1"))
    assert new_source(archives.format("1.0"), archives.replace("org", "fork").format("1.1"))


def _package_json(spec: str) -> str:
    return json.dumps({"name": "shop", "dependencies": {"left-pad": spec}}, indent=2)


@pytest.mark.parametrize(
    "spec", ["github:attacker/left-pad", "git+https://example.com/left-pad.git", "npm:lpad@1"]
)
def test_a_registry_package_moved_to_another_source_weighs_like_a_new_one(spec: str) -> None:
    files = [modified("package.json", _package_json("^1.3.0"), _package_json(spec))]
    [finding] = DETECTOR.detect(files, DETECTOR.settings_model())
    assert finding.rule == "dependency.source-changed"
    assert finding.change == Change.OTHER
    assert finding.severity == Severity.MEDIUM  # direct and runtime: like an addition
    assert finding.message.startswith(f"left-pad ^1.3.0 -> {spec}")


def test_a_ref_moved_in_the_same_repository_is_other() -> None:
    base = _package_json("github:org/left-pad#v1.3.0")
    head = _package_json("github:org/left-pad#v1.4.0")
    [finding] = DETECTOR.detect([modified("package.json", base, head)], DETECTOR.settings_model())
    assert (finding.rule, finding.severity) == ("dependency.other", Severity.LOW)


@pytest.mark.parametrize(
    ("head", "rule", "change"),
    [
        # pinned by hand with no tag to say what the commit is
        (f"acme/deploy@{SHA}", "dependency.pin-moved", Change.MAJOR),
        # pinned the way Dependabot and pinning tools write it
        (f"acme/deploy@{SHA} # v1.4.0", "dependency.other", Change.OTHER),
    ],
)
def test_an_action_pinned_to_a_commit_no_tag_names(head: str, rule: str, change: Change) -> None:
    base_text = "steps:\n  - uses: acme/deploy@v1\n"
    head_text = f"steps:\n  - uses: {head}\n"
    found = DETECTOR.detect(
        [modified(".github/workflows/ci.yml", base_text, head_text)], DETECTOR.settings_model()
    )
    [finding] = [f for f in found if f.package == "acme/deploy"]
    assert (finding.rule, finding.change) == (rule, change)
