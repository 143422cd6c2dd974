"""Secrets: what must never be committed, and what the security team must see.

Path layer: files that should never be committed (keys, .env, credential stores).
Content layer: private-key blocks and tokens (tokens.py) on added lines. Messages
never quote the secret: a finding says its kind and length only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Finding, Kind, Severity
from app.detect.globs import compiled
from app.detect.pathrules import NOT_CODE, PathRule, detect_by_path, rule, scoped
from app.detect.secrets import tokens

_LIVE = (FileStatus.ADDED, FileStatus.MODIFIED, FileStatus.RENAMED, FileStatus.COPIED)

SECRET_RULES: tuple[PathRule, ...] = (
    rule(
        "secret.key-file",
        Severity.CRITICAL,
        [
            "**/*.{pem,key,p12,pfx,jks,keystore,kdbx,ppk}",
            "**/id_{rsa,dsa,ecdsa,ed25519}",
            "**/config/master.key",
            "**/.htpasswd",
            "**/.git-credentials",
        ],
        "{path} looks like a private key or credential store ({glob}); "
        "it should not be committed — revoke it if it is real",
        ignore_case=True,
        statuses=_LIVE,
    ),
    rule(
        "secret.env-file",
        Severity.HIGH,
        ["**/.env", "**/.env.*", "**/*.env"],
        "{path} is an environment file ({glob}); these usually hold secrets",
        statuses=_LIVE,
    ),
    rule(
        "secret.credentials-file",
        Severity.HIGH,
        ["**/credentials{,.json,.yml,.yaml}", "**/config/{credentials,secrets}.yml*"],
        "{path} is a credentials file ({glob})",
        statuses=_LIVE,
    ),
)

# Lockfiles and generated files are full of hashes that look like keys.
_NO_SECRETS = compiled(
    (
        "**/{package-lock.json,npm-shrinkwrap.json,yarn.lock,pnpm-lock.yaml,poetry.lock,uv.lock}",
        "**/{Pipfile.lock,Cargo.lock,Gemfile.lock,composer.lock,go.sum,mix.lock,packages.lock.json}",
        "**/*.{min.js,min.css,map,svg,lock}",
    )
)
MAX_LINE = 2000
_TEMPLATE = re.compile(r"\.(example|sample|template|dist|tmpl)$|\.pub$", re.IGNORECASE)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")


class SecretsDetector:
    name = "secrets"
    kind = Kind.SECRET
    settings_model = DetectorSettings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        return False  # the diff's lines are all it reads

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        kept = [f for f in files if not _TEMPLATE.search(f.path)]
        findings = detect_by_path(self.kind, self.name, kept, settings, SECRET_RULES)
        allowed = scoped(settings)
        for changed in kept:
            if allowed(changed) and not _NO_SECRETS.match(changed.path):
                findings.extend(_private_keys(changed))
                findings.extend(_secrets(changed))
        return findings


def _secrets(changed: ChangedFile) -> list[Finding]:
    # Test data is full of sample tokens: still shown (a real one gets pasted there
    # too), but not at the severity of one in code.
    test_data = bool(NOT_CODE.match(changed.path))
    findings = []
    for number, text in changed.added:
        if len(text) > MAX_LINE:
            continue  # minified or generated: not a line anyone typed a secret into
        for secret in tokens.find(text):
            where = " in a test, fixture or doc file" if test_data else ""
            findings.append(
                Finding.for_line(
                    Kind.SECRET,
                    changed.path,
                    number,
                    min(secret.severity, Severity.MEDIUM) if test_data else secret.severity,
                    f"secret.{secret.rule.replace('detect-secrets:', 'detect-secrets.')}",
                    f"{secret.name} ({secret.length} characters) added{where}: if it is "
                    "real, remove it and revoke it, it stays in the git history",
                    extra={"secret_kind": secret.name, "length": secret.length},
                )
            )
    return findings


def _private_keys(changed: ChangedFile) -> list[Finding]:
    test_data = bool(NOT_CODE.match(changed.path))
    return [
        Finding.for_line(
            Kind.SECRET,
            changed.path,
            number,
            Severity.MEDIUM if test_data else Severity.CRITICAL,
            "secret.private-key",
            "a private key block was added"
            + (" in a test, fixture or doc file" if test_data else "")
            + "; if it is real, remove it and revoke the key",
        )
        for number, text in changed.added
        if _PRIVATE_KEY.search(text)
    ]
