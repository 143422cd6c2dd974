"""requirements.lock (what the image installs) agrees with pyproject.toml's ranges:
every dependency pinned to one exact version inside its range, with hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s\\]+)", re.MULTILINE)


def pins() -> dict[str, str]:
    return {
        canonicalize_name(n): v for n, v in PIN.findall((ROOT / "requirements.lock").read_text())
    }


def test_every_dependency_is_pinned_inside_its_range() -> None:
    locked = pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        requirement = Requirement(spec.split("#")[0])
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock: run scripts/dev lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name}=={locked[name]} is outside {requirement.specifier}: run scripts/dev lock"
        )


def test_every_pin_carries_hashes_and_no_index_of_this_machine() -> None:
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+(?:\[[^\]]*\])?==)", text)
    assert all("--hash=sha256:" in block for block in blocks[1:])
    assert "--index-url" not in text
    assert "--find-links" not in text
    assert len(pins()) == len(blocks) - 1
