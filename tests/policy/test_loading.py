from __future__ import annotations

from pathlib import Path

import pytest

from app.detect.base import Change, Finding, Kind, Severity
from app.policy.config import Config, json_schema
from app.policy.evaluate import evaluate
from app.policy.facts import PullFacts
from app.policy.loading import ConfigError, ExtendsError, default_config, load_config


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(text, "cfg.yml")
    return [str(issue) for issue in caught.value.issues]


VALID = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba], users: [octocat]}
    approvals: 2
    when:
      - detector: migrations
        min_severity: medium
      - paths: ["db/**"]
    unless:
      - labels: [trivial-migration]
    checklist: ["Rollback plan tested"]
  qa:
    when: [{lines_changed: {gt: 400}}, {labels: [needs-qa]}]
detectors:
  migrations: {paths: ["legacy/sql/**"], dialect: postgres}
options:
  stale_approvals: any_push
  separation_of_duties: true
"""


def test_the_design_example_loads() -> None:
    config = load_config(VALID).config
    assert config.roles["dba"].approvals == 2
    assert config.roles["dba"].when[0].min_severity == "medium"
    assert config.detectors.migrations.paths == ["legacy/sql/**"]
    assert config.options.stale_approvals == "any_push"


def test_unknown_key_names_line_column_and_suggests() -> None:
    [message] = errors("version: 1\nroles:\n  dba:\n    when:\n      - detectr: migrations\n")
    assert message.startswith("cfg.yml:5:9: unknown key 'detectr' in roles.dba.when[0]")
    assert "did you mean 'detector'?" in message


def test_every_error_is_reported_at_once_in_file_order() -> None:
    text = (
        "version: 1\nroles:\n  dba:\n    approvals: '2'\n    when:\n"
        "      - detector: migrations\n        min_severity: huge\n"
        "      - paths: ['/db/**']\n      - content: '(unclosed'\n"
        "options:\n  skip_drafts: yes\n  frobnicate: 1\n"
    )
    found = errors(text)
    assert [m.split(": ", 1)[0] for m in found] == [
        "cfg.yml:4:16",
        "cfg.yml:7:23",
        "cfg.yml:8:17",
        "cfg.yml:9:18",
        "cfg.yml:11:16",
        "cfg.yml:12:3",
    ]
    joined = "\n".join(found)
    assert "write the number without quotes" in joined
    assert "relative to the repository root" in joined
    assert "invalid regular expression" in joined
    assert "yes/no/on/off are strings" in joined


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "cfg.yml:1:1: the file is empty"),
        ("- a\n- b\n", "the top level must be a mapping"),
        ("version: 1\nroles: {a: 1\n", "cfg.yml:3:1: YAML:"),
        ("version: 1\nversion: 1\n", "cfg.yml:2:1: YAML: while constructing a mapping"),
        ("roles: {}\n", "missing required key 'version'"),
        ("version: 2\n", "cfg.yml:1:10: version: Input should be 1"),
        ("version: 1\nroles:\n  Bad Name: {when: [{labels: [x]}]}\n", "cfg.yml:3:3:"),
        ("version: 1\nroles:\n  a: {when: []}\n", "when: List should have at least 1 item"),
        ("version: 1\nroles:\n  a: {when: [{}]}\n", "empty condition"),
        ("version: 1\nroles:\n  a: {when: [{min_severity: high}]}\n", "only make sense with"),
        (
            "version: 1\nroles:\n  a: {when: [{detector: auth, changes: [added]}]}\n",
            "only apply to `detector: dependencies`",
        ),
        ("version: 1\nroles:\n  a: {when: [{lines_changed: {}}]}\n", "at least one of gt"),
        ("version: 1\nroles:\n  a: {when: [{detector: sql}]}\n", "Input should be 'migrations'"),
        (
            "version: 1\nroles:\n  a: {approvals: 0, when: [{labels: [x]}]}\n",
            "greater than or equal to 1",
        ),
    ],
)
def test_config_errors(text: str, expected: str) -> None:
    assert any(expected in message for message in errors(text)), errors(text)


def test_defaults_route_the_three_standard_roles() -> None:
    loaded = default_config()
    assert loaded.is_default
    assert {k: [c.detector for c in r.when] for k, r in loaded.config.roles.items()} == {
        "dba": ["migrations"],
        "security": ["auth", "secrets", "dependencies", "dependencies", "dependencies"],
        "sre": ["infra"],
    }


def _dependency(change: Change | None, severity: Severity, rule: str = "") -> Finding:
    return Finding(
        Kind.DEPENDENCY,
        "package.json",
        3,
        severity,
        rule or f"dependency.{change.value if change else 'manifest-changed'}",
        "m",
        ecosystem="npm",
        change=change,
    )


@pytest.mark.parametrize(
    ("finding", "calls_security"),
    [
        # a new publisher to trust (a direct runtime package is medium)
        (_dependency(Change.ADDED, Severity.MEDIUM), True),
        # transitive or dev-only: a level lower
        (_dependency(Change.ADDED, Severity.LOW), False),
        # an upgrade of a package already trusted, a major too: shown, no ping
        (_dependency(Change.MAJOR, Severity.MEDIUM), False),
        (_dependency(Change.DOWNGRADE, Severity.MEDIUM), False),
        # ... unless the new version has a known vulnerability
        (_dependency(Change.MAJOR, Severity.HIGH), True),
        (_dependency(Change.PATCH, Severity.HIGH), True),
        # a third party's action moved to a commit no tag names; GitHub's own a level lower
        (_dependency(Change.MAJOR, Severity.MEDIUM, "dependency.pin-moved"), True),
        (_dependency(Change.MAJOR, Severity.LOW, "dependency.pin-moved"), False),
        # a registry package now from a git URL: a new source to trust
        (_dependency(Change.OTHER, Severity.MEDIUM, "dependency.source-changed"), True),
        (_dependency(Change.OTHER, Severity.LOW), False),  # a git ref moved
        # a file whose packages were not compared: fail closed
        (_dependency(None, Severity.MEDIUM), True),
    ],
)
def test_the_built_in_security_role_on_dependency_changes(
    finding: Finding, calls_security: bool
) -> None:
    facts = PullFacts(author="alice", head_sha="h", team_members={}, reviews=None)
    decision = evaluate(default_config().config, [], [finding], facts)
    assert {r.key for r in decision.required} == ({"security"} if calls_security else set())


def test_extends_merges_org_defaults_under_the_repo_file() -> None:
    org = (
        "version: 1\nroles:\n"
        "  dba: {reviewers: {teams: [org-dba]}, when: [{detector: migrations}]}\n"
        "  security: {reviewers: {teams: [appsec]}, when: [{detector: auth}]}\n"
        "options: {separation_of_duties: true, check_name: Org roles}\n"
        "detectors: {migrations: {dialect: mysql, paths: ['sql/**']}}\n"
    )
    repo = (
        "version: 1\nextends: acme/.github\nroles:\n"
        "  dba: {reviewers: {teams: [shop-dba]}, when: [{paths: ['db/**']}]}\n"
        "options: {check_name: Shop roles}\n"
        "detectors: {migrations: {dialect: postgres}}\n"
    )
    seen = []

    def resolve(value: str, source: str) -> tuple[str, str]:
        seen.append((value, source))
        return org, "acme/.github:.github/release-roles.yml"

    loaded = load_config(repo, "repo.yml", resolve)
    config = loaded.config
    assert seen == [("acme/.github", "repo.yml")]
    assert loaded.sources == ("repo.yml", "acme/.github:.github/release-roles.yml")
    assert config.roles["dba"].reviewers.teams == ["shop-dba"]  # role replaced whole
    assert config.roles["dba"].when[0].paths == ["db/**"]
    assert config.roles["security"].reviewers.teams == ["appsec"]  # inherited
    assert config.options.check_name == "Shop roles"
    assert config.options.separation_of_duties is True  # merged key by key
    assert config.detectors.migrations.dialect == "postgres"
    assert config.detectors.migrations.paths == ["sql/**"]


def test_errors_in_the_extended_file_name_that_file() -> None:
    def resolve(value: str, source: str) -> tuple[str, str]:
        return "version: 1\noptions: {bogus: 1}\n", "org.yml"

    with pytest.raises(ConfigError, match=r"org.yml:2:11: unknown key 'bogus'"):
        load_config("version: 1\nextends: acme/.github\n", "repo.yml", resolve)


def test_unresolvable_extends_points_at_the_key() -> None:
    def resolve(value: str, source: str) -> tuple[str, str]:
        raise ExtendsError(f"no such repository {value}")

    with pytest.raises(ConfigError, match=r"repo.yml:2:10: no such repository acme/x"):
        load_config("version: 1\nextends: acme/x\n", "repo.yml", resolve)


def test_extends_cycles_stop() -> None:
    def resolve(value: str, source: str) -> tuple[str, str]:
        return "version: 1\nextends: again\n", "loop.yml"

    with pytest.raises(ConfigError, match="nested more than"):
        load_config("version: 1\nextends: again\n", "repo.yml", resolve)


def test_json_schema_describes_the_config(tmp_path: Path) -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Release Roles configuration"
    assert schema["additionalProperties"] is False
    assert "detector" in schema["$defs"]["Condition"]["properties"]  # type: ignore[index]
    assert Config.model_json_schema() == {k: v for k, v in schema.items() if k != "$schema"}


def test_detector_names_are_the_registrys() -> None:
    from typing import get_args

    from app.detect.registry import DETECTORS
    from app.policy.config import DetectorName, Detectors

    assert set(get_args(DetectorName)) == set(DETECTORS) == set(Detectors.model_fields)
    for name, detector in DETECTORS.items():
        assert Detectors.model_fields[name].annotation is detector.settings_model


BOMB = "version: 1\n" + "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n"
    if i
    else "l0: &l0 [a, a, a, a, a, a, a, a, a]\n"
    for i in range(9)
)


def test_an_alias_bomb_is_refused_at_once() -> None:
    import time

    started = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        load_config(BOMB, "bomb.yml")
    assert time.perf_counter() - started < 1.0
    assert len(BOMB) < 500
    [issue] = caught.value.issues
    assert "expands to more than 20,000 values" in issue.message
    assert issue.hint is not None
    assert "aliases" in issue.hint


def test_deep_nesting_and_huge_files_are_refused() -> None:
    deep = "version: 1\nroles: " + "[" * 200 + "]" * 200 + "\n"
    with pytest.raises(ConfigError, match="nested deeper than 32 levels"):
        load_config(deep, "deep.yml")
    with pytest.raises(ConfigError, match="at most 262,144"):
        load_config("version: 1\n# " + "x" * 300_000 + "\n", "big.yml")


def test_a_control_character_is_an_error_with_its_position() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("version: 1\nroles:\x07\n", "bell.yml")
    [issue] = caught.value.issues
    assert (issue.line, issue.column) == (2, 7)
    assert issue.message == "YAML: character U+0007 is not allowed"


def test_a_key_that_is_a_mapping_holding_a_list_is_an_error_not_a_crash() -> None:
    """Found by bench/bench_fuzz.py: ruamel hashes complex keys, a list cannot be."""
    with pytest.raises(ConfigError, match="a key may not be a list or a mapping"):
        load_config("version: 1\n? {a: [b]}\n: c\n", "key.yml")


@pytest.mark.parametrize("text", ["[-_]", "[._]", "version: 1\nroles: [-_]\n"])
def test_scalars_ruamel_misreads_as_floats_are_an_error_not_a_crash(text: str) -> None:
    """Found by tests/test_fuzz.py's random configs: ruamel's float resolver takes
    `-_` and `._` for numbers and fails on them (IndexError, ValueError)."""
    with pytest.raises(ConfigError, match="YAML that could not be read"):
        load_config(text, "odd.yml")
