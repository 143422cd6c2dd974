"""Version rules per ecosystem."""

from __future__ import annotations

import pytest

from app.detect.base import Change
from app.detect.dependencies.versions import classify


@pytest.mark.parametrize(
    ("ecosystem", "old", "new", "change"),
    [
        ("npm", "1.2.3", "2.0.0", Change.MAJOR),
        ("npm", "1.2.3", "1.3.0", Change.MINOR),
        ("npm", "1.2.3", "1.2.4", Change.PATCH),
        ("npm", "2.0.0", "1.9.9", Change.DOWNGRADE),
        ("npm", "1.0.0-beta.2", "1.0.0", Change.PATCH),
        ("npm", "^1.2.0", "^2.0.0", Change.MAJOR),
        ("npm", "github:user/repo#main", "github:user/repo#dev", Change.OTHER),
        ("pypi", "4.2.16", "5.1.3", Change.MAJOR),
        ("pypi", "2.0.0rc1", "2.0.0", Change.PATCH),
        ("pypi", "1.0.post1", "1.0", Change.DOWNGRADE),
        ("golang", "v1.5.0", "v2.0.0+incompatible", Change.MAJOR),
        ("maven", "5.3.1.RELEASE", "5.3.2.RELEASE", Change.PATCH),
        ("docker", "latest", "3.12", Change.OTHER),
    ],
)
def test_version_rules(ecosystem: str, old: str, new: str, change: Change) -> None:
    assert classify(ecosystem, old, new) == change
