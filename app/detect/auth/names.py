"""Auth-sensitive file names, read as words.

A glob like `*sso*` matches inside words ("processor", "signing" for `*signin*`),
so file names are split into their words (snake_case, kebab-case, camelCase,
dots) and a keyword must be one of them, or two adjacent words joined
(`sign_in`, `LogIn`). "session" is a word of many things (a database session,
an HTTP client's): it counts beside a word that makes it the login's
(`sessions_controller.rb`, `session_store.rb`, `SessionManager.java`).
"""

from __future__ import annotations

import itertools
import re

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
KEYWORDS = frozenset(
    (
        *("auth", "authn", "authz", "oauth", "oauth2", "oidc", "openid", "saml", "sso"),
        *("login", "logout", "signin", "signup", "signon", "password", "passwd", "jwt"),
        *("csrf", "xsrf", "cors", "credential", "mfa", "totp", "webauthn", "passkey"),
        *("rbac", "abac", "acl", "permission", "keycloak", "devise", "omniauth"),
    )
)
# Words whose every form counts: authentication, authenticator, authorize, authorizer.
STEMS = ("authenticat", "authoris", "authoriz")
SESSION_COMPANIONS = frozenset(("controller", "middleware", "store", "manager", "cookie"))


def words(path: str) -> list[str]:
    """The lower-cased words of a path's file name, extension left out."""
    name = path.rsplit("/", 1)[-1]
    stem = name.split(".", 1)[0] if not name.startswith(".") else name[1:]
    return [w.lower() for w in _WORDS.findall(stem)]


def auth_word(path: str) -> str | None:
    """The keyword that makes this file name auth-sensitive, or None."""
    found = words(path)
    candidates = found + [a + b for a, b in itertools.pairwise(found)]
    for word in candidates:
        single = word[:-1] if word.endswith("s") and word[:-1] in KEYWORDS else word
        if single in KEYWORDS or word.startswith(STEMS):
            return single
    if any(w in ("session", "sessions") for w in found) and SESSION_COMPANIONS & set(found):
        return "session"
    return None
