"""Auth-sensitive code: what the security team must see.

Path layer: directories and file names that hold authentication, authorization,
session and crypto code. Content layer (content.py, rules in rules.py): auth
markers, guards removed, and risky patterns on added lines, in seven languages.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.detect.auth.content import auth_content
from app.detect.base import ChangedFile, DetectorSettings, Finding, Kind, Severity
from app.detect.pathrules import NOT_CODE, PathRule, detect_by_path, rule, scoped

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

_AUTH_PATHS = AUTH_RULES[0].globs


class AuthDetector:
    name = "auth"
    kind = Kind.AUTH
    settings_model = DetectorSettings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        return False  # the diff's lines are all it reads

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        findings = detect_by_path(self.kind, self.name, files, settings, AUTH_RULES)
        allowed = scoped(settings)
        for changed in files:
            if allowed(changed) and not NOT_CODE.match(changed.path):
                findings.extend(
                    auth_content(changed, auth_path=bool(_AUTH_PATHS.match(changed.path)))
                )
        return findings
