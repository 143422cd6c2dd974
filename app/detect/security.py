"""Auth-sensitive code and secrets: what the security team must see.

Path layer: directories and file names that hold authentication,
authorization, session and crypto code, and files that should never be
committed (keys, .env). One content rule is cheap and certain enough to ship
here: a private-key block on an added line. Messages never quote the secret.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Finding, Kind, Severity
from app.detect.pathrules import PathRule, detect_by_path, rule, scoped

_LIVE = (FileStatus.ADDED, FileStatus.MODIFIED, FileStatus.RENAMED, FileStatus.COPIED)

AUTH_RULES: tuple[PathRule, ...] = (
    rule(
        "auth.path",
        Severity.LOW,
        [
            "**/{auth,authn,authz,authentication,authorization,iam,identity}/**",
            "**/{security,crypto,cryptography}/**",
            "**/{oauth,oauth2,oidc,openid,saml,sso,ldap,kerberos,mfa,2fa,totp,webauthn}/**",
            "**/{passkey,passkeys,permission,permissions,policies,acl,rbac,abac,guards}/**",
            "**/api/auth/**",
            "**/*{oauth,saml,sso,login,logout,signin,signup,password,passwd,session}*.*",
            "**/*{jwt,csrf,cors,credential,authenticat,authoriz}*.*",
            "**/*middleware*.{py,js,ts,go,rb,java,kt,cs,php}",
            "**/config/initializers/{devise,session_store,cors,content_security_policy}.rb",
            "**/config/initializers/{secret_token,omniauth,rack_attack}.rb",
            "**/*Security*Config*.{java,kt}",
            "**/*.rego",
            "**/casbin*.{conf,csv}",
        ],
        "{path} is auth-sensitive by its path ({glob})",
        ignore_case=True,
        skip_non_code=True,
    ),
)

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

_TEMPLATE = re.compile(r"\.(example|sample|template|dist|tmpl)$|\.pub$", re.IGNORECASE)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")


class AuthDetector:
    name = "auth"
    kind = Kind.AUTH
    settings_model = DetectorSettings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        return False  # the diff's lines are all it reads

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        return detect_by_path(self.kind, self.name, files, settings, AUTH_RULES)


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
            if allowed(changed):
                findings.extend(_private_keys(changed))
        return findings


def _private_keys(changed: ChangedFile) -> list[Finding]:
    return [
        Finding(
            kind=Kind.SECRET,
            file=changed.path,
            line=number,
            severity=Severity.CRITICAL,
            rule="secret.private-key",
            message="a private key block was added; remove it and revoke the key",
        )
        for number, text in changed.added
        if _PRIVATE_KEY.search(text)
    ]
