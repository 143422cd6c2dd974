"""Findings from the auth content rules (rules.py) on one file's diff."""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.detect.auth import rules as r
from app.detect.base import ChangedFile, Finding, Kind, Severity

MAX_LINE = 2000  # longer lines are generated or minified
_COMMENT = re.compile(r"\s*(?:#|//|/\*|\*|--)")
# A line that is a raw-string literal is a regex someone is defining (a linter's own
# rules), not code doing what the regex describes.
_PATTERN_LITERAL = re.compile(r"\s*(?:r|rb|br|rf|fr)[\"']", re.IGNORECASE)
# `code  # a comment` / `code // a comment`: prose after the code is not code
_TRAILING_COMMENT = re.compile(r"\s+(?:#|//)\s")
_DEFINITION = re.compile(r"\s*(?:async\s+def|def|class|function|func)\s")


def auth_content(changed: ChangedFile, *, auth_path: bool) -> list[Finding]:
    lang = r.language(changed.path)
    if lang is None:
        return []
    lines = list(_code_lines(changed.added))
    findings: list[Finding] = []
    removed = _removed_guards(changed, lang)
    findings.extend(removed)
    credentials = any(r.CORS_CREDENTIALS.search(t, low) for _, t, low in lines)
    markers: list[int] = []
    for number, text, low in lines:
        hit = _risky(changed.path, number, text, low)
        if hit is not None:
            findings.append(hit)
        elif r.AUTHZ_OPEN.search(text, low) and not _DEFINITION.match(text):
            findings.append(_open_route(changed.path, number, bool(removed)))
        elif r.CORS_ANY.search(text, low):
            findings.append(_cors(changed.path, number, credentials))
        elif r.WEAK_HASH.search(text, low) and "usedforsecurity=false" not in low:
            findings.append(_weak_hash(changed.path, number, auth_path))
        elif r.MARKERS[lang].search(text):
            markers.append(number)
    if markers:
        more = f" (and {len(markers) - 1} more lines)" if len(markers) > 1 else ""
        findings.append(
            _finding(
                changed.path,
                markers[0],
                Severity.LOW,
                "auth.marker",
                f"touches authentication, authorization, session or crypto code{more}",
            )
        )
    return findings


def _code_lines(added: list[tuple[int, str]]) -> Iterator[tuple[int, str, str]]:
    """(line, code, lower-cased code) of added lines some rule may apply to: the
    keyword pass first (it rejects most lines in C), then comments are taken off."""
    for number, text in added:
        if len(text) > MAX_LINE or not r.has_keyword(text.lower()):
            continue
        if _COMMENT.match(text) or _PATTERN_LITERAL.match(text):
            continue
        code = _TRAILING_COMMENT.split(text, maxsplit=1)[0]
        low = code.lower()
        if r.has_keyword(low):
            yield number, code, low


def _risky(path: str, number: int, text: str, low: str) -> Finding | None:
    if _DEFINITION.match(text):
        return None  # defining csrf_exempt or AllowAny is not using it
    for risk in r.RISKS:
        if risk.rule == "auth.weak-password-hash" and "pbkdf2" in low:
            continue  # PBKDF2 with SHA-1 is a slow key derivation, not a bare hash
        if risk.search(text, low):
            return _finding(path, number, Severity.HIGH, risk.rule, risk.what)
    return None


def _removed_guards(changed: ChangedFile, lang: str) -> list[Finding]:
    """Guards on removed lines that the change does not add back elsewhere."""
    if not changed.removed:
        return []
    guards = r.GUARDS[lang]
    kept = {" ".join(t.split()) for _, t in changed.added}
    return [
        _finding(
            changed.path,
            None,
            Severity.MEDIUM,
            "auth.guard-removed",
            f"removes an access check (line {number} before the change): "
            "make sure the route is still protected",
        )
        for number, text in changed.removed
        if guards.search(text) and " ".join(text.split()) not in kept
    ]


def _open_route(path: str, number: int, guard_removed: bool) -> Finding:
    return _escalating(
        path,
        number,
        "auth.authz-open",
        guard_removed,
        high="opens a route to everyone where this change removed an access check",
        medium="opens a route to unauthenticated users",
    )


def _cors(path: str, number: int, credentials: bool) -> Finding:
    return _escalating(
        path,
        number,
        "auth.cors-permissive",
        credentials,
        high="allows any origin with credentials: any site can make authenticated requests",
        medium="allows requests from any origin",
    )


def _escalating(
    path: str, number: int, rule: str, worse: bool, *, high: str, medium: str
) -> Finding:
    """Medium on its own; high when the rest of the change makes it dangerous."""
    if worse:
        return _finding(path, number, Severity.HIGH, rule, high)
    return _finding(path, number, Severity.MEDIUM, rule, medium)


def _weak_hash(path: str, number: int, auth_path: bool) -> Finding:
    # outside auth code MD5 and SHA-1 are cache keys and checksums far more often
    # than passwords: shown (info), not a reason to call security
    severity = Severity.MEDIUM if auth_path else Severity.INFO
    where = " in auth code" if auth_path else ""
    return _finding(
        path,
        number,
        severity,
        "auth.weak-hash",
        f"uses MD5, SHA-1 or a broken cipher{where}: fine for cache keys, never for "
        "passwords, signatures or tokens",
    )


def _finding(path: str, line: int | None, severity: Severity, rule: str, message: str) -> Finding:
    return Finding.for_line(Kind.AUTH, path, line, severity, rule, message)
