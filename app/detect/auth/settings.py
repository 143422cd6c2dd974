"""Settings that turn a protection off, whatever the language spells them as.

Each rule names the keys it reads (normalised by syntax.normalise: `InsecureSkipVerify`,
`insecure_skip_verify` and `"insecureSkipVerify"` are one key), the values that are
dangerous, and, for keys that mean different things in different places (`verify`,
`secure`, `origin`), the context the setting must sit in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.detect.auth.syntax import ALWAYS, Expr, Setting

Check = Callable[[Any], bool]


def off(value: Any) -> bool:
    return value is False or value == 0 or (isinstance(value, str) and value.lower() in _OFF)


def on(value: Any) -> bool:
    return value is True or value == 1 or (isinstance(value, str) and value.lower() in _ON)


_OFF = ("0", "false", "off", "no")
_ON = ("1", "true", "on", "yes")


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> list[str]:
    return [v.lower() for v in _items(value) if isinstance(v, str)]


def alg_none(value: Any) -> bool:
    return "none" in _strings(value)


def any_origin(value: Any) -> bool:
    return any(s.strip() in ("*", "https://*", "http://*") for s in _strings(value))


def any_origin_or_true(value: Any) -> bool:
    return value is True or value is ALWAYS or any_origin(value)


def reflected_origin(value: Any) -> bool:
    """The request's own Origin header echoed back: every site is allowed."""
    return any_origin(value) or (isinstance(value, Expr) and "origin" in value.text.lower())


def match_all(value: Any) -> bool:
    return any(s in (".*", "^.*$", ".+", "^.+$", "*") for s in _strings(value))


def cert_none(value: Any) -> bool:
    text = value.text if isinstance(value, Expr) else value if isinstance(value, str) else ""
    return text.upper().endswith(("CERT_NONE", "VERIFY_NONE"))


def accept_all(value: Any) -> bool:
    return value is ALWAYS or (isinstance(value, Expr) and "DangerousAcceptAny" in value.text)


def none_policy(value: Any) -> bool:
    return isinstance(value, Expr) and value.text.endswith(".None")


def samesite_none(value: Any) -> bool:
    return isinstance(value, str) and value.lower() == "none"


def post_ignored(value: Any) -> bool:
    return "post" in _strings(value)


def no_csrf_middleware(value: Any) -> bool:
    names = _strings(value)
    return any("sessionmiddleware" in n for n in names) and not any(
        "csrfviewmiddleware" in n for n in names
    )


def allow_any(value: Any) -> bool:
    return any(s.endswith("allowany") for s in _strings(value))


def present(value: Any) -> bool:
    return value is not False and value is not None


@dataclass(frozen=True, slots=True)
class SettingRule:
    rule: str
    keys: frozenset[str]
    bad: Check
    what: str
    context: re.Pattern[str] | None = None  # the setting's context must match
    avoid: re.Pattern[str] | None = None  # and must not match

    def applies(self, setting: Setting) -> bool:
        if canonical(setting.key) not in self.keys or not self.bad(setting.value):
            return False
        if self.context is not None and not self.context.search(setting.context):
            return False
        return self.avoid is None or not self.avoid.search(setting.context)


def _rule(
    rule: str, keys: str, bad: Check, what: str, context: str = "", avoid: str = ""
) -> SettingRule:
    return SettingRule(
        rule,
        frozenset(keys.split()),
        bad,
        what,
        re.compile(context) if context else None,
        re.compile(avoid) if avoid else None,
    )


def canonical(key: str) -> str:
    """One name for a family of keys: every framework's setting for its auth cookie's
    flags (`REMEMBER_COOKIE_SECURE`, `SESSION_COOKIE_SECURE`, a bare `cookie_secure`)
    is the session cookie's; a language or theme cookie's is not."""
    for suffix in ("cookiesecure", "cookiehttponly"):
        if key.endswith(suffix) and key.removesuffix(suffix) in _AUTH_COOKIES:
            return "sessioncookie" + suffix.removeprefix("cookie")
    return key


_AUTH_COOKIES = ("", "session", "csrf", "xsrf", "remember", "auth", "jwt", "token", "login")


class KeySet:
    """The keys some rule reads, family members included (see canonical)."""

    def __init__(self, keys: frozenset[str]) -> None:
        self._keys = keys

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and canonical(key) in self._keys


TLS = "auth.tls-verify-disabled"
JWT = "auth.jwt-verify-disabled"
CSRF = "auth.csrf-disabled"
COOKIE = "auth.cookie-insecure"
TRANSPORT = "auth.insecure-transport"
OPEN = "auth.authz-open"
# facts, not findings: combined per file into auth.cors-permissive
CORS_ANY = "cors.any-origin"
CORS_CREDENTIALS = "cors.credentials"

_HTTP = (
    r"requests|httpx|session|client|urlopen|faraday|httparty|guzzle|ssl|http|agent|fetch|rest"
    r"|\.(?:get|post|put|patch|delete|head|request|stream|send)\b"
)
_TOKENS = r"jwt|jose|token|signature|verify\("
_COOKIE = r"cookie|session|csrf"
# words in a cookie's name that make it auth's (`session_id`, `remember_token`)
AUTH_COOKIE_WORDS = r"sess|sid|auth|token|jwt|login|remember|user|csrf|xsrf|ident|key"
# a cookie named by its call whose name says nothing of auth (`theme`, `locale`)
_PLAIN_COOKIE = rf"cookie-name:(?![^ ]*(?:{AUTH_COOKIE_WORDS}))"
_CORS = r"cors|origin|socket|server|register|io\b"

TLS_OFF = "turns off TLS certificate verification: a man in the middle can read and change traffic"
JWT_OFF = "turns off JWT signature or expiry verification: anyone can forge a token"

RULES: tuple[SettingRule, ...] = (
    _rule(TLS, "verify", off, TLS_OFF, context=_HTTP, avoid=_TOKENS),
    _rule(
        TLS,
        "ssl",
        off,
        TLS_OFF,
        context=r"\.(?:get|post|put|patch|delete|request|ws_connect)\b|aiohttp|connector",
    ),
    _rule(TLS, "rejectunauthorized nodetlsrejectunauthorized", off, TLS_OFF),
    _rule(
        TLS,
        "insecureskipverify tlsallowinvalidcertificates tlsallowinvalidhostnames tlsinsecure",
        on,
        TLS_OFF,
    ),
    _rule(TLS, "checkhostname", off, TLS_OFF),
    _rule(TLS, "verifymode certreqs sslcertreqs", cert_none, TLS_OFF),
    _rule(TLS, "curloptsslverifypeer curloptsslverifyhost", off, TLS_OFF),
    # PHP stream contexts, Elasticsearch, Ansible, git, old aiohttp: verification by name
    _rule(
        TLS, "verifypeer verifypeername verifycerts validatecerts sslverify verifyssl", off, TLS_OFF
    ),
    _rule(
        TLS,
        "servercertificatecustomvalidationcallback servercertificatevalidationcallback",
        accept_all,
        TLS_OFF,
    ),
    _rule(JWT, "verifysignature verifyexp", off, JWT_OFF),
    _rule(JWT, "verify", off, JWT_OFF, context=_TOKENS),
    _rule(
        JWT,
        "algorithms algorithm",
        alg_none,
        "accepts unsigned JWTs (algorithm none): anyone can forge a token",
    ),
    _rule(JWT, "ignoreexpiration", on, JWT_OFF),
    _rule(
        JWT,
        "validateissuersigningkey validatelifetime requiresignedtokens requireexpirationtime",
        off,
        JWT_OFF,
    ),
    _rule(OPEN, "credentialsrequired", off, "lets requests without a token through the JWT check"),
    _rule(
        OPEN,
        "defaultpermissionclasses",
        allow_any,
        "opens every API view to unauthenticated users by default",
    ),
    _rule(
        CSRF,
        "wtfcsrfenabled csrfprotection allowforgeryprotection csrfenabled",
        off,
        "turns off CSRF protection: another site can submit forms as the signed-in user",
    ),
    _rule(
        CSRF,
        "csrf",
        off,
        "turns off CSRF protection: another site can submit forms as the signed-in user",
        avoid=r"cookie",
    ),
    _rule(CSRF, "skipcsrfcheck", present, "skips the CSRF check of sign-in requests"),
    _rule(
        CSRF, "ignoremethods", post_ignored, "exempts state-changing methods from the CSRF check"
    ),
    _rule(CSRF, "csrftrustedorigins", any_origin, "trusts every origin for CSRF"),
    _rule(CSRF, "middleware", no_csrf_middleware, "runs sessions without Django's CSRF middleware"),
    _rule(
        COOKIE,
        "httponly ishttponly",
        off,
        "sets a session or auth cookie readable by scripts (HttpOnly off)",
        avoid=_PLAIN_COOKIE,
    ),
    _rule(
        COOKIE,
        "secure usesecurecookie httpsonly",
        off,
        "sets a session or auth cookie without Secure: it can leak over HTTP",
        context=_COOKIE,
        avoid=_PLAIN_COOKIE,
    ),
    _rule(
        COOKIE,
        "sessioncookiesecure sessioncookiehttponly csrfcookiesecure csrfcookiehttponly",
        off,
        "sets the session or CSRF cookie without Secure/HttpOnly",
    ),
    _rule(
        COOKIE,
        "samesite",
        samesite_none,
        "sends a session or auth cookie on cross-site requests (SameSite=None)",
    ),
    _rule(
        COOKIE,
        "securepolicy",
        none_policy,
        "sends the auth cookie over plain HTTP (CookieSecurePolicy.None)",
    ),
    _rule(
        COOKIE,
        "forcessl",
        off,
        "turns off HTTPS enforcement: cookies and tokens can travel in clear",
    ),
    _rule(
        TRANSPORT,
        "oauthlibinsecuretransport authlibinsecuretransport",
        on,
        "lets OAuth tokens travel over plain HTTP",
    ),
    _rule(
        TRANSPORT,
        "requirehttpsmetadata forcesslinredirecturi",
        off,
        "lets tokens or credentials travel over plain HTTP",
    ),
    _rule(TRANSPORT, "hsts", off, "turns off HSTS: browsers may reach the site over plain HTTP"),
    _rule(CORS_ANY, "origin", any_origin_or_true, "", context=_CORS),
    _rule(
        CORS_ANY,
        "origins alloworigin alloworigins allowedorigins allowedorigin allowedoriginpatterns "
        "corsorigins",
        any_origin,
        "",
    ),
    _rule(CORS_ANY, "accesscontrolalloworigin", reflected_origin, ""),
    _rule(
        CORS_ANY,
        "alloworiginregex corsallowedoriginregexes allowedoriginregexes corsoriginregexwhitelist",
        match_all,
        "",
    ),
    _rule(CORS_ANY, "allowallorigins corsallowallorigins corsoriginallowall", on, ""),
    _rule(CORS_ANY, "isoriginallowed", accept_all, ""),
    _rule(
        CORS_CREDENTIALS,
        "credentials allowcredentials supportscredentials corsallowcredentials "
        "accesscontrolallowcredentials",
        on,
        "",
    ),
)
KEYS = KeySet(frozenset(k for r in RULES for k in r.keys))
