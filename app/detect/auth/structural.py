"""Auth risks read from the syntax of the file, not from single lines.

Three passes over a file whose added lines the keyword prefilter let through:

- settings (settings.py): protections switched off, however the language spells the
  key, in any argument order, over any number of lines, and through a constant of
  the same file;
- statements that span several lines (`http\\n  .csrf()\\n  .disable()`), read
  collapsed by the same risk patterns that read single lines;
- small windows of code: a weak hash a few lines before a password, a token decoded
  without verification and then trusted, a trust manager that trusts everything.

Only what rests on an added line is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

from app.detect.auth import rules as r
from app.detect.auth.settings import KEYS, RULES
from app.detect.auth.syntax import Lines, Source, any_kind

MAX_STATEMENT_LINES = 40
STATEMENTS: dict[str, tuple[str, ...]] = {
    "python": ("expression_statement", "return_statement"),
    "javascript": ("expression_statement", "lexical_declaration", "variable_declaration"),
    "go": ("expression_statement", "short_var_declaration", "assignment_statement"),
    "java": ("expression_statement", "local_variable_declaration", "return_statement"),
    "kotlin": ("property_declaration", "call_expression"),
    "ruby": ("call", "assignment"),
    "php": ("expression_statement", "return_statement", "property_declaration"),
    "csharp": ("expression_statement", "local_declaration_statement", "return_statement"),
}
STATEMENTS["typescript"] = STATEMENTS["tsx"] = STATEMENTS["javascript"]
_SPACE = re.compile(r"\s+")
_AROUND = re.compile(r"\s*([.()\[\]{},])\s*")


@dataclass(frozen=True, slots=True)
class Hit:
    line: int
    rule: str
    what: str
    medium: bool = False  # read from a pattern of use, not an explicit switch
    last: int = 0  # the last line it rests on, when it spans several

    @property
    def end(self) -> int:
        return max(self.line, self.last)


# Words one of which is in any line the passes below can report on (lower-cased): the
# risk patterns' own keys and the settings' key words. A file without any is not parsed.
_RISKS = (*r.RISKS, r.CORS_ANY, r.CORS_CREDENTIALS, r.AUTHZ_OPEN, r.WEAK_HASH)
_WORDS = (
    *(k for risk in _RISKS for k in risk.keys),
    *("verify", "ssl", "unauthorized", "insecure", "tls", "hostname", "cert"),
    *("signature", "algorithm", "expiration", "lifetime", "signedtoken", "credentials"),
    *("permission_classes", "csrf", "forgery", "ignoremethods", "trusted_origins"),
    *("middleware", "httponly", "http_only", "secure", "samesite", "same_site", "policy"),
    *("force_ssl", "transport", "requirehttps", "hsts", "origin", "cookie", "passw"),
    *("jwt", "decode", "checkservertrusted"),
)  # fmt: skip
_AUTOMATON = ahocorasick.Automaton()
for _word in _WORDS:
    _AUTOMATON.add_word(_word, _word)
_AUTOMATON.make_automaton()


def hot_lines(lines: Iterable[tuple[int, str]]) -> list[int]:
    """The added lines holding a word the structural passes need: a file without
    any is not parsed, and in one that is, only settings and statements touching
    these lines are read."""
    return [n for n, text in lines if next(_AUTOMATON.iter(text.lower()), None) is not None]


# A value that can make a setting risky, on a hot line or just after it: without one
# (`secure: Rails.env.production?`, `token = jwt.decode(raw, key)`) the file is not
# parsed, which is most files with a hot line (a parse costs about 0.4 ms).
_RISKY_VALUE = re.compile(
    r"(?i)\b(?:false|true|0|none|nil|null_session|disable\w*|exempt|skip\w*|ignore\w*|"
    r"permit\w*|allowany\w*|\w*anyorigin|dangerous\w*|\w*insecure\w*|\w*unverified|"
    r"md5|sha1|\w*sessionmiddleware)\b|[\"']\*|\*[\"']|origin"
)


# or a constant given such a value anywhere (`const V = false` … `{ rejectUnauthorized: V }`)
_CONSTANT = re.compile(
    r"(?i)^\s*(?:(?:export|const|let|var|val|final|static|private|public|readonly)\s+)*"
    r"[\w$]+\s*(?::\s*[\w<>\[\]]+)?\s*:?=\s*(?:false|true|0|[\"']0[\"']|none|nil)\s*;?\s*$"
)


def worth_parsing(added: dict[int, str], hot: list[int]) -> bool:
    near = any(
        _RISKY_VALUE.search(added[n]) is not None
        for line in hot
        for n in range(line, line + 4)
        if n in added
    )
    return near or any(_CONSTANT.match(text) for text in added.values())


def analyse(source: Source, added: dict[int, str], hot: list[int]) -> list[Hit]:
    lines = Lines(hot)
    hits = list(_settings(source, added, lines))
    hits.extend(_statements(source, added, lines))
    return hits


def _settings(source: Source, added: dict[int, str], hot: Lines) -> Iterator[Hit]:
    for setting in source.settings(hot, KEYS):
        rests_on = sorted(n for n in setting.lines if n in added)
        if not rests_on:
            continue
        line = setting.line if setting.line in added else rests_on[0]
        for rule in RULES:
            if rule.applies(setting):
                yield Hit(line, rule.rule, rule.what, last=max(setting.last, line))


def _statements(source: Source, added: dict[int, str], hot: Lines) -> Iterator[Hit]:
    rule = any_kind(source.grammar, STATEMENTS[source.grammar], "\n")  # several lines
    for node in source.root.find_all(rule):
        if not hot.touches(node):
            continue
        span = node.range()
        first, last = span.start.line + 1, span.end.line + 1
        if first == last or last - first > MAX_STATEMENT_LINES:
            continue
        lines = [n for n in range(first, last + 1) if n in added]
        if not lines:
            continue
        text = _AROUND.sub(r"\1", _SPACE.sub(" ", node.text()))
        low = text.lower()
        if not r.has_keyword(low):
            continue
        for risk in r.RISKS:
            if risk.search(text, low):
                yield Hit(lines[0], risk.rule, risk.what, last=last)
        if r.CORS_ANY.search(text, low):
            yield Hit(lines[0], "cors.any-origin", "", last=last)


# -- windows of added code ------------------------------------------------------

_WINDOW_WORDS = re.compile(r"(?i:md5|sha-?1|decode|unverified)")
_PASSWORD = re.compile(r"(?i)passw|passphrase")
_WEAK = re.compile(r"\b(?:MD5|SHA1)\.Create\(\)|MessageDigest\.getInstance\(\s*\"(?:MD5|SHA-?1)\"")
_DECODE = re.compile(
    r"\bjwt\.decode\(|\bdecodeJwt\(|\bjwt_?[dD]ecode\(|\bget_unverified_claims\(|\bJWT\.decode\(\s*\w+\s*\)"
)
_VERIFIED = re.compile(
    r"jwt\.verify\(|jwtVerify\(|JWT\.require\(|verifyWith\(|get_signing_key|algorithms\s*=|"
    r"\bverify_signature\"?\s*:\s*True|\.verify\(\s*\w+"
)
_TRUSTED = re.compile(
    r"req\.user\b|\.sub\b|\[[\"']sub[\"']\]|\brole\b|getSubject\(|findById|\bisAdmin\b|"
    r"\.admin\b|\buser_?[iI]d\b|\bcurrent_user\b|\bpermissions?\b"
)
# only a key function written inline can be seen not to check the method
_GO_PARSE = re.compile(r"\bjwt\.Parse(?:WithClaims)?\(.*\bfunc\s*\(")
_GO_PINNED = re.compile(r"\.Method\b|WithValidMethods\(")
_TRUST_ALL = re.compile(
    r"checkServerTrusted\([^)]*\)\s*(?:throws\s+[\w.]+\s*)?\{\s*\}", re.MULTILINE
)

WEAK_PASSWORD = (
    "hashes a password with a fast, broken hash (MD5/SHA-1): use bcrypt, scrypt or argon2"
)


def windows(path: str, added: dict[int, str], candidates: list[int]) -> Iterator[Hit]:
    """`candidates`: the added lines the keyword prefilter kept, in order."""
    numbers = sorted(added)
    for number in candidates:
        text = added[number]
        if _WINDOW_WORDS.search(text) is None:
            continue
        nearby = [added[n] for n in range(number, number + 4) if n in added]
        if (r.WEAK_HASH.search(text, text.lower()) or _WEAK.search(text)) and any(
            _PASSWORD.search(t) for t in nearby
        ):
            yield Hit(number, "auth.weak-password-hash", WEAK_PASSWORD)
        trusted = _DECODE.search(text) and any(_TRUSTED.search(t) for t in nearby)
        if trusted and not any(_VERIFIED.search(added[n]) for n in numbers):
            yield Hit(
                number,
                "auth.jwt-verify-disabled",
                "trusts a token's claims without verifying its signature: anyone can forge a token",
                medium=True,
            )
    if path.endswith(".go"):
        yield from _go_unpinned(added, numbers)
    if not any("checkservertrusted" in added[n].lower() for n in numbers):
        return
    joined = "\n".join(added.get(n, "") for n in range(1, (numbers[-1] if numbers else 0) + 1))
    for match in _TRUST_ALL.finditer(joined):
        line = joined.count("\n", 0, match.start()) + 1
        yield Hit(
            line,
            "auth.tls-verify-disabled",
            "trusts every TLS certificate (an empty "
            "checkServerTrusted): a man in the middle can read and change traffic",
        )


def _go_unpinned(added: dict[int, str], numbers: list[int]) -> Iterator[Hit]:
    if any(_GO_PINNED.search(added[n]) for n in numbers):
        return
    for number in numbers:
        if _GO_PARSE.search(added[number]):
            yield Hit(
                number,
                "auth.jwt-verify-disabled",
                "parses a JWT without pinning its signing method (check token.Method or "
                "pass jwt.WithValidMethods): a token signed another way may pass",
                medium=True,
            )
            return
