"""Auth-sensitive code: what the security team must see.

Path layer: directories that hold authentication, authorization, session and
crypto code, and file names whose words say so (names.py: `login_view.py`, not
`processors.py`). Content layer (content.py, rules in rules.py): auth
markers, guards removed, and risky patterns on added lines, in seven languages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from app.detect.auth.content import auth_content
from app.detect.auth.names import auth_word
from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Finding, Kind, Severity
from app.detect.globs import compiled
from app.detect.migrations.files import in_migrations
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
            "**/middleware.{js,ts}",  # Next.js: the one middleware every request passes
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
# a whole line of comment; `/* a */ code()` is code, and `#!` a shebang
_COMMENT_LINE = re.compile(r"\s*(?:#(?!!)|//|--|<!--|(?:/\*|\*(?=\s|/|$))(?!.*\*/\s*\S))")
# A log line with fixed text only (`debug("SSH key auth successful.");`, `logger.info('x')`):
# it can neither change what the code decides nor write a value out. An f-string, a
# template with `${…}`, or any argument that is not one literal is not this; nor is
# `error(…)`, which some frameworks use to end a request (a guard, then).
_FIXED_LOG_LINE = re.compile(
    r"""\s*(?:(?:[A-Za-z_][\w.]*\.)?(?:debug|info|warn|warning|trace|log|print)\s*\(\s*"""
    r"""(?:"[^"\\]*"|'[^'\\]*'|`[^`$\\]*`)\s*\)\s*;?\s*)$"""
)
# Where the name alone says little: a login page's markup and styles (the code behind
# it is what checks anyone), and migrations (schema, which the DBA reviews; their
# content rules still run). Shown, no call on security.
_MARKUP = compiled(
    (
        "**/*.{html,htm,jinja,jinja2,j2,hbs,handlebars,mustache,ejs,erb,haml,slim,pug,twig,"
        "css,scss,sass,less,svg}",
    ),
    ignore_case=True,
)

# Type declarations (`auth.d.ts`, a `.pyi` stub) say what code looks like and run
# nothing: like `@types/*` packages for dependencies, shown without a call.
_DECLARATIONS = compiled(("**/*.{d.ts,d.mts,d.cts,pyi}",), ignore_case=True)


# Build output repeats the source it is built from (Ghost's `core/built/admin/assets/`,
# a bundle in `dist/`): the source's change carries the signal, the bundle's hundred
# re-ordered guards none. Like minified files, not read for auth; a path rule there
# is info. (Secrets still read them: a key baked into a bundle is out.)
_BUILD_OUTPUT = compiled(("**/{dist,built}/**",), ignore_case=True)


class AuthDetector:
    name = "auth"
    kind = Kind.AUTH
    settings_model = DetectorSettings

    def wants_content(self, changed: ChangedFile, settings: DetectorSettings) -> bool:
        return False  # the diff's lines are all it reads

    def detect(self, files: Sequence[ChangedFile], settings: DetectorSettings) -> list[Finding]:
        findings = detect_by_path(self.kind, self.name, files, settings, AUTH_RULES)
        by_path = {f.file for f in findings}
        allowed = scoped(settings)
        claimed = _claimed(settings)
        for changed in files:
            own = claimed(changed.path)
            if not allowed(changed) or (NOT_CODE.match(changed.path) and not own):
                continue
            word = auth_word(changed.path)
            if word is not None and changed.path not in by_path:
                findings.append(_by_name(changed.path, word))
            if _BUILD_OUTPUT.match(changed.path) and not own:
                continue
            auth_path = word is not None or bool(_AUTH_PATHS.match(changed.path))
            findings.extend(auth_content(changed, auth_path=auth_path))
        changed_by_path = {changed.path: changed for changed in files}
        return [_by_kind_of_change(f, changed_by_path.get(f.file or "")) for f in findings]


def _claimed(settings: DetectorSettings) -> Callable[[str], bool]:
    """Paths the repository gives auth (`detectors.auth.paths`) are read even where the
    defaults skip them: a GitHub Action's committed `dist/index.js` is the code that
    runs, so a team that says so has its guards and switches read there too."""
    if not settings.paths:
        return lambda path: False
    globs = compiled(tuple(settings.paths))
    return globs.match


def _by_kind_of_change(finding: Finding, changed: ChangedFile | None) -> Finding:
    if finding.rule != "auth.path" or finding.file is None:
        return finding
    if _MARKUP.match(finding.file):
        kind = "markup or styles"
    elif _DECLARATIONS.match(finding.file):
        kind = "type declarations (no code that runs)"
    elif in_migrations(finding.file):
        kind = "a migration"
    elif _BUILD_OUTPUT.match(finding.file):
        kind = "build output"
    elif changed is not None and changed.binary:
        kind = "a binary file (an archive, an image: nothing to read)"
    elif changed is not None and _only_comments(changed):
        kind = "only comments and log lines of fixed text changed"
    elif changed is not None and _moved_unchanged(changed):
        kind = "moved, nothing in it changed"
    else:
        return finding
    message = f"{finding.message}; {kind}, so info only"
    return replace(finding, severity=Severity.INFO, message=message)


def _only_comments(changed: ChangedFile) -> bool:
    """Every changed line a comment, blank, or a log line of fixed text: a copyright
    year bumped in each release (GNU Mailman's passwords.py, 8 of 19 releases), a
    `debug("SSH key auth successful.")` (semantic-release 24.2.2) ask nothing of
    security."""
    lines = [text for _, text in (*changed.added, *changed.removed)]
    return (
        changed.lines_known
        and changed.status == FileStatus.MODIFIED
        and bool(lines)
        and all(
            not text.strip() or _COMMENT_LINE.match(text) or _FIXED_LOG_LINE.match(text)
            for text in lines
        )
    )


def _moved_unchanged(changed: ChangedFile) -> bool:
    """A rename git found identical (Budibase re-hashing an `auth0-logo` image's name)."""
    return (
        changed.status == FileStatus.RENAMED
        and changed.lines_known
        and not changed.added
        and not changed.removed
    )


def _by_name(path: str, word: str) -> Finding:
    return Finding.for_file(
        Kind.AUTH,
        path,
        Severity.LOW,
        "auth.path",
        f"{path} is auth-sensitive by its name (the word {word!r})",
    )
