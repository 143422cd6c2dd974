"""Findings from the auth content rules (rules.py) on one file's diff."""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.detect.auth import rules as r
from app.detect.auth import structural
from app.detect.auth.rewrites import rewritten
from app.detect.auth.settings import AUTH_COOKIE_WORDS
from app.detect.auth.structural import Hit
from app.detect.auth.syntax import Source
from app.detect.base import ChangedFile, FileStatus, Finding, Kind, Severity
from app.detect.dependencies.formats import dependency_file
from app.detect.diff import head_view

MAX_LINE = 2000  # longer lines are generated or minified
_COMMENT = re.compile(r"\s*(?:#|//|/\*|\*|--)")
# A line that is a raw-string literal is a regex someone is defining (a linter's own
# rules), not code doing what the regex describes.
_PATTERN_LITERAL = re.compile(r"\s*(?:r|rb|br|rf|fr)[\"']", re.IGNORECASE)
# `code  # a comment` / `code // a comment`: prose after the code is not code
_TRAILING_COMMENT = re.compile(r"\s+(?:#|//)\s")
_DEFINITION = re.compile(r"\s*(?:async\s+def|def|class|function|func)\s")
# Naming `login_user` in an import does nothing yet; the line that calls it is the marker.
_IMPORT_OPEN = re.compile(r"\s*(?:from\s+\S+\s+)?import\s*[({]\s*$")
_IMPORT = re.compile(r"\s*(?:from\s+\S+\s+import\b|import\s|require\b|using\s|use\s)")


def auth_content(changed: ChangedFile, *, auth_path: bool) -> list[Finding]:
    lang = r.language(changed.path)
    if lang is None:
        return []
    lines = list(_code_lines(changed.added))
    removed = _removed_guards(changed, lang)
    findings: list[Finding] = list(removed)
    hits: list[Hit] = []
    terms: dict[int, str] = {}  # marker lines: what each named, for the message
    for number, text, low in lines:
        hit = _line_hit(number, text, low)
        if hit is not None:
            hits.append(hit)
        elif (marker := r.MARKERS[lang].search(text)) and not _IMPORT.match(text):
            terms[number] = marker.group(0).strip()
    added = dict(changed.added)
    hot = structural.hot_lines((n, t) for n, t, _ in lines)
    if hot:
        hits = _with_structure(changed, added, hits, [n for n, _, _ in lines], hot)
    credentials = any(h.rule == "cors.credentials" for h in hits) or any(
        r.CORS_CREDENTIALS.search(t, low) for _, t, low in lines
    )
    before = _rewrites(changed, lines, hits)
    for hit in _unique(hits):
        finding = _to_finding(changed.path, hit, added, bool(removed), credentials, auth_path)
        if finding is not None:
            findings.append(_as_rewrite(changed.path, finding, hit, before))
    # `"argon2-cffi>=23.1.0"` in setup.py names a package, which the dependencies
    # detector reports; it touches no auth code
    markers = [] if dependency_file(changed.path) else _not_imports(changed, added, list(terms))
    if markers:
        others = len(markers) - 1
        more = f"; and {others} more line{'s' if others > 1 else ''}" if others else ""
        named = terms[markers[0]][:60]
        what = f"touches authentication, authorization, session or crypto code (`{named}`{more})"
        findings.append(_finding(changed.path, markers[0], Severity.LOW, "auth.marker", what))
    return findings


def _rewrites(
    changed: ChangedFile, lines: list[tuple[int, str, str]], hits: list[Hit]
) -> dict[int, int]:
    """Risky added lines that only rewrite a removed one of their hunk (rewrites.py);
    only lines a risk rule hit are asked again, not every added line."""
    risky = {h.line for h in hits if h.rule in r.RISK_RULES}
    if not changed.removed or not risky:
        return {}
    asked = [line for line in lines if line[0] in risky]
    return rewritten(changed.patch, asked, _code_lines(changed.removed), _line_hit)


def _as_rewrite(path: str, finding: Finding, hit: Hit, before: dict[int, int]) -> Finding:
    """Low where the line only rewrites one that did the same before the change."""
    if hit.line not in before or finding.severity <= Severity.LOW:
        return finding
    what = (
        f"{hit.what} (a line this change rewrites: line {before[hit.line]} before it did the same)"
    )
    return _finding(path, hit.line, Severity.LOW, hit.rule, what)


def _not_imports(changed: ChangedFile, added: dict[int, str], markers: list[int]) -> list[int]:
    """Drop marker lines inside a multi-line import (`from app.auth import (` … `)`)."""
    if not markers:
        return markers
    view = {**head_view(changed.patch), **added} if changed.patch else added
    return [n for n in markers if not _in_import(view, n)]


def _in_import(view: dict[int, str], number: int) -> bool:
    for above in range(number - 1, max(number - 40, 0), -1):
        text = view.get(above)
        if text is None or any(c in text for c in ");}"):
            return False
        if _IMPORT_OPEN.match(text):
            return True
    return False


def _line_hit(number: int, text: str, low: str) -> Hit | None:
    if _DEFINITION.match(text):
        return None  # defining csrf_exempt or AllowAny is not using it
    for risk in r.RISKS:
        if risk.rule == "auth.weak-password-hash" and "pbkdf2" in low:
            continue  # PBKDF2 with SHA-1 is a slow key derivation, not a bare hash
        if risk.search(text, low):
            if risk.rule == "auth.cookie-insecure" and _plain_cookie(text):
                return None
            return Hit(number, risk.rule, risk.what)
    if r.AUTHZ_OPEN.search(text, low):
        return Hit(number, "auth.authz-open", "")
    if r.CORS_ANY.search(text, low):
        return Hit(number, "cors.any-origin", "")
    if r.CORS_CREDENTIALS.search(text, low):
        return Hit(number, "cors.credentials", "")
    if r.WEAK_HASH.search(text, low) and "usedforsecurity=false" not in low:
        return Hit(number, "auth.weak-hash", "")
    return None


def _with_structure(
    changed: ChangedFile,
    added: dict[int, str],
    hits: list[Hit],
    candidates: list[int],
    hot: list[int],
) -> list[Hit]:
    """Add what the file's syntax shows, and drop line hits that sit in a string or a
    comment (a message that quotes `NODE_TLS_REJECT_UNAUTHORIZED=0` sets nothing)."""
    grammar = r.grammar(changed.path)
    out = hits + list(structural.windows(changed.path, added, candidates))
    if grammar is None or not structural.worth_parsing(added, hot):
        return out
    if changed.status == FileStatus.ADDED or not changed.patch:
        view = added
    else:
        view = {**head_view(changed.patch), **added}
    # A line the line rules skip as generated (a minified bundle) is blank to the
    # parser too: every node's position is counted along its line, so a 1 MB line
    # made one file's walk quadratic (a Budibase release diff ran for minutes).
    text = "\n".join(
        line if len(line := view.get(n, "")) <= MAX_LINE else ""
        for n in range(1, max(view, default=0) + 1)
    )
    source = Source(text, grammar)
    kept = [h for h in out if h.rule.startswith("cors.") or not _in_literal(source, h, added)]
    return kept + structural.analyse(source, added, hot)


def _in_literal(source: Source, hit: Hit, added: dict[int, str]) -> bool:
    """Whether the line's risky text lies inside one string or comment that is prose
    (a message, a docstring: four words or more, English ones among them). A string
    that is configuration (`"django.contrib.auth.hashers.MD5PasswordHasher"`) or a
    command line (`"export NODE_TLS_REJECT_UNAUTHORIZED=0 && node app.js"`) counts."""
    line = added.get(hit.line, "")
    for first, last, literal in source.literal_lines(hit.line):
        prose = len(literal.split()) >= 4 and _PROSE.search(literal) is not None
        if prose and first == last == hit.line and literal.strip() in line:
            pattern = next((p for p in r.RISKS if p.rule == hit.rule), None)
            if pattern is not None and pattern.pattern.search(literal):
                return True
    return False


def _unique(hits: list[Hit]) -> list[Hit]:
    """One hit per rule and place: a statement's hit is dropped where one of its lines
    already has the same rule (the narrowest hit, the most precise line, wins)."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.end - h.line, h.line)):
        if not any(k.rule == hit.rule and k.line <= hit.end and hit.line <= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.line)


def _to_finding(
    path: str,
    hit: Hit,
    added: dict[int, str],
    guard_removed: bool,
    credentials: bool,
    auth_path: bool,
) -> Finding | None:
    if hit.rule == "cors.credentials":
        return None
    if hit.rule == "cors.any-origin":
        return _cors(path, hit.line, credentials)
    if hit.rule == "auth.weak-hash":
        return _weak_hash(path, hit.line, auth_path)
    if hit.rule == "auth.authz-open" and not hit.what:
        return _open_route(path, hit.line, guard_removed, _public(added, hit.line))
    severity = Severity.MEDIUM if hit.rule == "auth.authz-open" or hit.medium else Severity.HIGH
    return _finding(path, hit.line, severity, hit.rule, hit.what)


_PUBLIC = re.compile(
    r"(?i)\b(?:log_?in|log_?out|sign_?(?:in|up|out)|register|health\w*|ping|status|home|"
    r"index|landing|docs|assets|static|favicon|robots|well-known|callback|about)\b"
    r"|[/\"':]public\b"  # a /public route, not Java's or C#'s `public` keyword
)
# words a message has and a command line or a setting does not
_PROSE = re.compile(r"(?i)\b(?:not|never|do|don't|must|should|the|is|are|avoid|instead)\b")
_PLAIN_NAME = re.compile(r"(?i)cookie\(\s*[\"'](\w+)[\"']")
_AUTH_NAME = re.compile(f"(?i){AUTH_COOKIE_WORDS}")  # the settings' rules use the same words


def _public(added: dict[int, str], line: int) -> bool:
    """An opened route that is public by nature: a login page, a health check."""
    return any(_PUBLIC.search(added.get(n, "")) for n in range(line, line + 4))


def _plain_cookie(text: str) -> bool:
    """`set_cookie("theme", …, httponly=False)`: a cookie whose name says nothing of auth."""
    name = _PLAIN_NAME.search(text)
    return name is not None and not _AUTH_NAME.search(name.group(1))


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
        # a minified bundle's one long line "loses" every guard each time it is rebuilt
        if len(text) <= MAX_LINE and guards.search(text) and " ".join(text.split()) not in kept
    ]


def _open_route(path: str, number: int, guard_removed: bool, public: bool) -> Finding:
    if public and not guard_removed:
        return _finding(
            path,
            number,
            Severity.LOW,
            "auth.authz-open",
            "opens a route to unauthenticated users (it reads as a public page)",
        )
    return _escalating(
        path,
        number,
        "auth.authz-open",
        guard_removed,
        high="opens a route to everyone where this change removed an access check",
        medium="opens a route to unauthenticated users",
    )


def _cors(path: str, number: int, credentials: bool) -> Finding:
    if credentials:
        return _finding(
            path,
            number,
            Severity.HIGH,
            "auth.cors-permissive",
            "allows any origin with credentials: any site can make authenticated requests",
        )
    # without credentials a browser sends no cookies: what a public API does, shown
    # (info) but no reason to call security
    return _finding(
        path,
        number,
        Severity.INFO,
        "auth.cors-permissive",
        "allows requests from any origin (no credentials: serve only public data)",
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
