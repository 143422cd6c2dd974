"""One token rule: the shape of a secret, its name and how grave it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.detect.base import Severity


@dataclass(frozen=True, slots=True)
class TokenRule:
    id: str
    name: str
    pattern: re.Pattern[str]
    severity: Severity
    group: int = 0  # the capture group holding the secret itself


def rule(
    id: str, name: str, pattern: str, severity: Severity = Severity.CRITICAL, group: int = 0
) -> TokenRule:
    return TokenRule(id, name, re.compile(pattern), severity, group)
