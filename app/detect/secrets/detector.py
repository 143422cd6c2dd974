"""Secrets: what must never be committed, and what the security team must see.

Path layer: files that should never be committed (keys, .env, credential stores).
Content layer: private-key blocks and tokens (tokens.py) on added lines. Messages
never quote the secret: a finding says its kind and length only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Finding, Kind, Severity
from app.detect.dependencies.formats import dependency_file
from app.detect.globs import compiled
from app.detect.pathrules import NOT_CODE, PathRule, detect_by_path, rule, scoped
from app.detect.secrets import tokens
from app.detect.secrets.envfiles import only_inert_values

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
        by_path = {f.path: f for f in kept}
        findings = [
            _sample_file(f) if f.file and _sample_path(f) else _inert_env(f, by_path)
            for f in detect_by_path(self.kind, self.name, kept, settings, SECRET_RULES)
        ]
        allowed = scoped(settings)
        for changed in kept:
            if allowed(changed) and not _NO_SECRETS.match(changed.path):
                findings.extend(_private_keys(changed))
                findings.extend(_secrets(changed))
        return findings


# Test and docs data holds sample values. A provider's token format there is still
# medium (real ones get pasted into tests too); a password or a key anyone can make
# up in a minute is low: the tests' own TLS certificates, `password = "hunter22"`.
_MADE_UP = frozenset(("keyword-assignment", "url-password", "jwt"))
# Environment files for tests, CI and dev containers hold their own throwaway values
# (a key file in .devcontainer/ is still a key file).
_SAMPLE_ENV = compiled(
    (
        "**/.devcontainer/**/{.env,.env.*,*.env}",
        "**/.env.{test,testing,ci,dev,development,local.example}",
    ),
    ignore_case=True,
)


_IN_TEST_DATA = " in a test, fixture or doc file"


def _test_data(path: str) -> bool:
    """Tests, fixtures and docs; a dependency file (requirements.txt) is not docs."""
    return bool(NOT_CODE.match(path)) and not dependency_file(path)


def _sample_path(finding: Finding) -> bool:
    path = finding.file or ""
    env = finding.rule == "secret.env-file" and bool(_SAMPLE_ENV.match(path))
    return env or _test_data(path)


def _inert_env(finding: Finding, by_path: dict[str, ChangedFile]) -> Finding:
    changed = by_path.get(finding.file or "")
    if finding.rule != "secret.env-file" or changed is None or not only_inert_values(changed):
        return finding
    message = (
        f"{finding.message}; every value it adds is a version, digest, image, number, flag, "
        "name or address without credentials: low"
    )
    return replace(finding, severity=Severity.LOW, message=message)


def _sample_file(finding: Finding) -> Finding:
    return replace(
        finding,
        severity=Severity.LOW,
        message=f"{finding.message} (in test, docs or dev-container data: low)",
    )


def _secrets(changed: ChangedFile) -> list[Finding]:
    test_data = _test_data(changed.path)
    findings = []
    for number, text in changed.added:
        if len(text) > MAX_LINE:
            continue  # minified or generated: not a line anyone typed a secret into
        for secret in tokens.find(text):
            where = _IN_TEST_DATA if test_data else ""
            severity = secret.severity
            if test_data:
                made_up = secret.rule in _MADE_UP
                severity = Severity.LOW if made_up else min(severity, Severity.MEDIUM)
            findings.append(
                Finding.for_line(
                    Kind.SECRET,
                    changed.path,
                    number,
                    severity,
                    f"secret.{secret.rule.replace('detect-secrets:', 'detect-secrets.')}",
                    f"{secret.name} ({secret.length} characters) added{where}: if it is "
                    "real, remove it and revoke it, it stays in the git history",
                    extra={"secret_kind": secret.name, "length": secret.length},
                )
            )
    return findings


# A key's body: base64 lines (PEM wraps at 64) after the header, or `\n`-joined in a
# string. A header alone (`PEM_HEADER = "-----BEGIN PRIVATE KEY-----"`) is a constant.
_KEY_BODY = re.compile(r"[A-Za-z0-9+/]{40,}")


def _private_keys(changed: ChangedFile) -> list[Finding]:
    test_data = _test_data(changed.path)
    added = changed.added
    found = []
    for index, (number, text) in enumerate(added):
        if not _PRIVATE_KEY.search(text):
            continue
        following = [t for n, t in added[index + 1 : index + 3] if n <= number + 2]
        body = any(_KEY_BODY.search(t) for t in (text[text.find("-----", 5) :], *following))
        if not body:
            found.append(_key_finding(changed.path, number, Severity.LOW, _HEADER_ONLY))
            continue
        severity = Severity.LOW if test_data else Severity.CRITICAL
        where = _IN_TEST_DATA if test_data else ""
        message = f"a private key block was added{where}; if it is real, remove it and revoke it"
        found.append(_key_finding(changed.path, number, severity, message))
    return found


_HEADER_ONLY = "a private key header without a key body (a constant or a parser's marker)"


def _key_finding(path: str, number: int, severity: Severity, message: str) -> Finding:
    return Finding.for_line(Kind.SECRET, path, number, severity, "secret.private-key", message)
