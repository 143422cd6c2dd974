"""Secrets on added lines: provider token formats, credentials in URLs, and
high-entropy values assigned to secret-looking names.

Two layers, both pure:

- our own rules for the documented token formats of the providers that matter
  (gitleaks' list shows which): each has a literal anchor, so one combined
  prefilter decides in a single pass whether a line needs a closer look;
- detect-secrets' plugins (Yelp, Apache-2.0), used as a library for what it
  does well and we do not repeat: its regex plugins for the long tail of
  providers (Twilio, SendGrid, Mailchimp, Discord, Telegram, Square,
  Artifactory, Azure storage, …) and its KeywordDetector, which confirms a
  `password = "…"` assignment is a literal and not a lookup. They run only on
  lines the prefilter lets through, which keeps 100,000 lines under a second.

A found secret is described by its kind and length, never its value, and
redact.py removes every span these rules find from any text we output.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import ahocorasick

from app.detect.base import Severity
from app.detect.secrets.prefixed import ANCHORS, PREFIXED
from app.detect.secrets.rule import TokenRule, rule

C, H = Severity.CRITICAL, Severity.HIGH
TOKEN_RULES: tuple[TokenRule, ...] = (
    rule("aws-access-key-id", "AWS access key ID", r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),
    rule(
        "aws-secret-access-key",
        "AWS secret access key",
        r"(?i)aws.{0,24}?(?:secret|private).{0,24}?[=:]\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
        group=1,
    ),
    rule("github-token", "GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,251}\b"),
    rule("github-token", "GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{82}\b"),
    rule(
        "gitlab-token",
        "GitLab token",
        r"\bgl(?:pat|dt|rt|ptt|ft|imt|oas|cbt|soat|agent)-[A-Za-z0-9_-]{20,}",
    ),
    rule("slack-token", "Slack token", r"\bxox[abposr]-(?:[0-9]+-)?[A-Za-z0-9-]{10,}"),
    rule("slack-token", "Slack app token", r"\bxapp-\d-[A-Z0-9]{9,}-\d{10,}-[a-f0-9]{32,}\b"),
    rule(
        "slack-webhook",
        "Slack webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_]{20,}",
        H,
    ),
    rule("stripe-key", "Stripe live key", r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b"),
    rule("stripe-key", "Stripe test key", r"\b(?:sk|rk)_test_[A-Za-z0-9]{20,}\b", H),
    rule(
        "openai-key",
        "OpenAI API key",
        r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b",
    ),
    rule("anthropic-key", "Anthropic API key", r"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}"),
    rule("npm-token", "npm access token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    rule("pypi-token", "PyPI upload token", r"\bpypi-AgE[A-Za-z0-9_-]{60,}"),
    rule("google-api-key", "Google API key", r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", H),
    rule(
        "google-oauth-secret", "Google OAuth client secret", r"\bGOCSPX-[A-Za-z0-9_-]{28}(?![\w-])"
    ),
    rule("huggingface-token", "Hugging Face token", r"\bhf_[A-Za-z]{34}\b", H),
    rule(
        "jwt",
        "JSON Web Token",
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        H,
    ),
    *PREFIXED,
    rule(
        "url-password",
        "password in a connection URL",
        r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@\"'<>]{1,64}:([^\s@/\"'<>]{3,128})@[A-Za-z0-9.-]",
        H,
        group=1,
    ),
)

# Every rule above has one of these in any match (lower-cased here): an
# Aho-Corasick pass over the lower-cased line (pyahocorasick) says which layers a
# line needs, so most lines cost one C call.
_TOKEN_ANCHORS = (
    *("akia", "asia", "abia", "acca", "aws", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    *("github_pat_", "glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glimt-", "gloas-"),
    *("glcbt-", "glsoat-", "glagent-", "xox", "xapp-", "hooks.slack", "_live_", "_test_"),
    *("sk-",),
    *("npm_", "pypi-", "aiza", "gocspx-", "hf_", "eyj", "://"),
    *ANCHORS,
)
# Lower-cased fragments of names whose literal values are secrets.
_KEYWORDS = (
    *("secret", "passw", "pwd", "token", "api_key", "apikey", "api-key", "access_key"),
    *("accesskey", "private_key", "auth_key", "credential"),
)
# Literals that detect-secrets' provider formats start with or contain.
_PLUGIN_LITERALS = ("akc", "accountkey=", "sg.", "sq0csp-", "-us", "discord", "telegram")
_TWILIO = re.compile(r"\b(?:AC|SK)[a-z0-9]{32}\b")
_AUTOMATON = ahocorasick.Automaton()
for _layer, _words in (
    ("token", _TOKEN_ANCHORS),
    ("keyword", _KEYWORDS),
    ("plugin", _PLUGIN_LITERALS),
):
    for _word in _words:
        _AUTOMATON.add_word(_word, _layer)
_AUTOMATON.make_automaton()
# A quoted literal of 8+ characters assigned to such a name.
_ASSIGNED = re.compile(
    r"""(?i)([\w.\-\[\]"']*?(?:secret|passw(?:or)?d|passwd|pwd|token|api[_-]?key|apikey|access[_-]?key|"""
    r"""private[_-]?key|client[_-]?secret|auth[_-]?key|credential)[\w.\-\]"']*)\s*"""
    r"""(?::=|=>|==|=|:)\s*[rbf]?(["'`])([^"'`\s]{8,200})\2"""
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|\.+|-+|_+)$|change.?me|example|placeholder|dummy|sample|your[_-]|<[^>]*>"
    r"|\$\{|\{\{|%\(|%s|^\$\w+$|redacted|not.?set|todo|fixme|^(?:test|fake|mock)"
    r"|^[a-z]+(?:[_-][a-z]+)*-?\d{0,2}$"  # words and identifiers: a name, not a value
)
# A URL without credentials in it is an address (a credential in a URL is url-password's).
_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://[^@\s]*$", re.IGNORECASE)
_PROVIDER_PLUGINS = (
    "artifactory.ArtifactoryDetector",
    "azure_storage_key.AzureStorageKeyDetector",
    "discord.DiscordBotTokenDetector",
    "mailchimp.MailchimpDetector",
    "sendgrid.SendGridDetector",
    "square_oauth.SquareOAuthDetector",
    "telegram_token.TelegramBotTokenDetector",
    "twilio.TwilioKeyDetector",
)


@dataclass(frozen=True, slots=True)
class Secret:
    rule: str  # "github-token", "keyword-assignment", "detect-secrets:Twilio API Key"
    name: str  # what kind of secret, for messages
    start: int
    end: int
    severity: Severity

    @property
    def length(self) -> int:
        return self.end - self.start


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def find(line: str) -> list[Secret]:
    """Every secret on one line, spans not overlapping."""
    found: list[Secret] = []
    low = line.lower()
    twilio = ("AC" in line or "SK" in line) and _TWILIO.search(line) is not None
    if not twilio and next(_AUTOMATON.iter(low), None) is None:
        return found  # most lines: no keyword at all, and no set built for them
    layers = {layer for _, layer in _AUTOMATON.iter(low)}
    if twilio:
        layers.add("plugin")
    if "token" in layers:
        for rule in TOKEN_RULES:
            for match in rule.pattern.finditer(line):
                start, end = match.span(rule.group)
                if rule.id == "url-password" and _PLACEHOLDER.search(match.group(rule.group)):
                    continue
                if _stand_in(match.group(rule.group)):
                    continue  # AKIAIOSFODNN7EXAMPLE, ghp_xxxx…: documentation, not a key
                found.append(Secret(rule.id, rule.name, start, end, rule.severity))
    if "keyword" in layers:
        found.extend(_assignments(line))
    if "plugin" in layers:
        found.extend(_detect_secrets(line))
    return _without_overlaps(found)


_VARIABLE_PART = re.compile(r"^(?:[A-Za-z]+[_-])*(?:[A-Za-z]{2,4}[_-])?")


def _stand_in(token: str) -> bool:
    """A value in a provider's format that no provider issued: the documented examples
    (AWS's ...EXAMPLE keys), and bodies of one or two repeated characters (`ghp_xxx…`,
    `sk_live_000…`) that documentation and tests write."""
    if "example" in token.lower():
        return True
    prefix = _VARIABLE_PART.match(token)  # always matches, if only the empty string
    body = token[prefix.end() :] if prefix else token
    return len(set(body or token)) <= 2 or _sequential(body or token)


def _sequential(body: str) -> bool:
    """A body typed along the keyboard's runs (`1234567890abcdef`): a placeholder."""
    steps = [ord(b) - ord(a) == 1 for a, b in itertools.pairwise(body)]
    return len(steps) >= 7 and sum(steps) >= 0.75 * len(steps)


def _machine_made(name: str, value: str) -> bool:
    """A token-like name holding what only a machine writes: detect-secrets' keyword
    list has no `token` or `credential`, so these are judged here, and more strictly
    (32+ characters, 3.5+ bits of entropy a character: the 22-character example tokens
    of RFC 6749 that OAuth libraries quote in their docs are not reported)."""
    named = re.search(r"(?i)token|credential|access[_-]?key", name)
    return bool(named) and len(value) >= 32 and entropy(value) >= 3.5


def _mixed(value: str) -> bool:
    """Generated secrets mix letters with digits or symbols, or both cases."""
    kinds = (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
        any(not c.isalnum() for c in value),
    )
    return sum(kinds) >= 2 and (kinds[2] or kinds[1] or kinds[3])


def _assignments(line: str) -> Iterator[Secret]:
    for match in _ASSIGNED.finditer(line):
        name, value = match.group(1), match.group(3)
        # People choose passwords (low entropy is normal); machines make keys.
        floor = 2.5 if re.search(r"(?i)passw|pwd", name) else 3.0
        if _PLACEHOLDER.search(value) or entropy(value) < floor or not _mixed(value):
            continue
        if _ADDRESS.match(value) or _stand_in(value):
            continue  # TOKEN_URL = "https://…/token": where a token is sent, not one
        if re.search(r"=[^=]", value):
            continue  # `NAME=value` text (an env line quoted in code), not the value itself
        if not _keyword_confirms(line) and not _machine_made(name, value):
            continue
        yield Secret(
            "keyword-assignment",
            f"literal value assigned to {name.strip(chr(34) + chr(39))[:40]}",
            match.start(3),
            match.end(3),
            Severity.HIGH,
        )


@cache
def _plugins() -> tuple[Any, ...]:
    import importlib

    plugins = []
    for spec in _PROVIDER_PLUGINS:
        module, name = spec.rsplit(".", 1)
        plugins.append(getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), name)())
    return tuple(plugins)


@cache
def _keyword_plugin() -> Any:
    from detect_secrets.plugins.keyword import KeywordDetector

    return KeywordDetector()


def _keyword_confirms(line: str) -> bool:
    """detect-secrets' KeywordDetector agrees this line assigns a secret literal
    (it knows the assignment shapes of many languages and rejects lookups)."""
    return bool(_keyword_plugin().analyze_line(filename="x.py", line=line, line_number=1)) or bool(
        _keyword_plugin().analyze_line(filename="x.yaml", line=line, line_number=1)
    )


def _detect_secrets(line: str) -> Iterator[Secret]:
    for plugin in _plugins():
        for pattern in plugin.denylist:
            for match in pattern.finditer(line):
                start, end = match.span(1) if match.groups() else match.span()
                yield Secret(
                    f"detect-secrets:{plugin.secret_type}",
                    plugin.secret_type,
                    start,
                    end,
                    Severity.HIGH,
                )


def _without_overlaps(found: list[Secret]) -> list[Secret]:
    kept: list[Secret] = []
    for secret in sorted(found, key=lambda s: (s.start, -s.length)):
        if kept and secret.start < kept[-1].end:
            continue
        kept.append(secret)
    return kept
