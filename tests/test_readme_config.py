"""The README's configuration reference is a config the App accepts, as written."""

from __future__ import annotations

import re
from pathlib import Path

from app.detect.base import Change, Finding, Kind, Severity
from app.policy.evaluate import evaluate
from app.policy.facts import PullFacts
from app.policy.loading import load_config

README = Path(__file__).resolve().parent.parent / "README.md"


def _reference() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration: `.github/release-roles.yml`", 1)[1]
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found, "the configuration section has no YAML block"
    return found.group(1)


def test_the_readme_reference_config_loads_and_routes_a_new_source() -> None:
    loaded = load_config(_reference(), "README.md", lambda value, source: ("version: 1\n", value))
    config = loaded.config
    assert {"dba", "security", "qa"} <= set(config.roles)
    moved = Finding(
        Kind.DEPENDENCY,
        "package.json",
        3,
        Severity.MEDIUM,
        "dependency.source-changed",
        "left-pad ^1.3.0 -> github:attacker/left-pad (npm, other)",
        ecosystem="npm",
        change=Change.OTHER,
    )
    facts = PullFacts(author="alice", head_sha="h", team_members={}, reviews=None)
    decision = evaluate(config, [], [moved], facts)
    assert [role.key for role in decision.required] == ["security"]
