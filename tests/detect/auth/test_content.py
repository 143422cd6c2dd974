"""Auth content rules: risky patterns, removed guards, weak hashes, and what is not code."""

from __future__ import annotations

import textwrap

import pytest

from app.detect.base import ChangedFile, Severity
from app.detect.diff import parse_git_diff
from tests.detect.content_helpers import change, found, rules

AUTH_CASES = [
    # rule, path, positive line, negative line
    (
        "auth.jwt-verify-disabled",
        "api/tokens.py",
        'claims = jwt.decode(token, options={"verify_signature": False})',
        'claims = jwt.decode(token, key, algorithms=["HS256"])',
    ),
    (
        "auth.jwt-verify-disabled",
        "api/tokens.py",
        'jwt.decode(token, key, algorithms=["none"])',
        'jwt.decode(token, key, algorithms=["RS256"])',
    ),
    (
        "auth.jwt-verify-disabled",
        "pkg/auth.go",
        "token, _, err := parser.ParseUnverified(raw, claims)",
        "token, err := jwt.ParseWithClaims(raw, claims, keyFunc)",
    ),
    (
        "auth.jwt-verify-disabled",
        "src/jwt.js",
        "jwt.verify(token, key, { ignoreExpiration: true })",
        "jwt.verify(token, key, { algorithms: ['RS256'] })",
    ),
    ("auth.csrf-disabled", "shop/views.py", "@csrf_exempt", "@require_POST"),
    (
        "auth.csrf-disabled",
        "src/main/java/SecurityConfig.java",
        "http.csrf().disable();",
        "http.csrf(Customizer.withDefaults());",
    ),
    (
        "auth.csrf-disabled",
        "app/controllers/api_controller.rb",
        "skip_before_action :verify_authenticity_token",
        "protect_from_forgery with: :exception",
    ),
    (
        "auth.tls-verify-disabled",
        "client/http.py",
        "resp = requests.get(url, verify=False)",
        "resp = requests.get(url, timeout=5)",
    ),
    (
        "auth.tls-verify-disabled",
        "pkg/client.go",
        "TLSClientConfig: &tls.Config{InsecureSkipVerify: true},",
        "TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12},",
    ),
    (
        "auth.tls-verify-disabled",
        "src/agent.ts",
        "const agent = new https.Agent({ rejectUnauthorized: false });",
        "const agent = new https.Agent({ keepAlive: true });",
    ),
    (
        "auth.cookie-insecure",
        "shop/settings.py",
        "SESSION_COOKIE_SECURE = False",
        "SESSION_COOKIE_SECURE = True",
    ),
    (
        "auth.cookie-insecure",
        "src/session.js",
        "app.use(session({ secret: s, cookie: { httpOnly: false } }))",
        "app.use(session({ secret: s, cookie: { httpOnly: true } }))",
    ),
    (
        "auth.weak-password-hash",
        "accounts/hashing.py",
        "digest = hashlib.md5(password.encode()).hexdigest()",
        "digest = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
    ),
    (
        "auth.weak-password-hash",
        "src/main/java/Config.java",
        "return NoOpPasswordEncoder.getInstance();",
        "return new BCryptPasswordEncoder();",
    ),
]


@pytest.mark.parametrize(("rule", "path", "positive", "negative"), AUTH_CASES)
def test_auth_risky_pattern(rule: str, path: str, positive: str, negative: str) -> None:
    assert rules("auth", change(path, positive)).get(rule) == Severity.HIGH, positive
    assert rule not in rules("auth", change(path, negative)), negative


def test_cors_any_origin_is_info_alone_and_high_with_credentials() -> None:
    alone = 'app.add_middleware(CORSMiddleware, allow_origins=["*"])'
    assert rules("auth", change("api/main.py", alone))["auth.cors-permissive"] == Severity.INFO
    both = alone + "\nCORS_SETTINGS = dict(allow_credentials=True)"
    assert rules("auth", change("api/main.py", both))["auth.cors-permissive"] == Severity.HIGH
    assert "auth.cors-permissive" not in rules(
        "auth", change("api/main.py", 'allow_origins=["https://shop.example"]')
    )


def test_opening_a_route_is_high_where_the_change_removed_its_guard() -> None:
    guarded = "    permission_classes = [IsAuthenticated]"
    opened = "    permission_classes = [AllowAny]"
    swapped = rules("auth", change("shop/api.py", opened, removed=guarded))
    assert swapped["auth.authz-open"] == Severity.HIGH
    assert swapped["auth.guard-removed"] == Severity.MEDIUM
    assert rules("auth", change("shop/api.py", opened))["auth.authz-open"] == Severity.MEDIUM
    assert "auth.authz-open" not in rules("auth", change("shop/api.py", guarded))


@pytest.mark.parametrize(
    ("path", "guard"),
    [
        ("shop/views.py", "@login_required"),
        ("src/orders.controller.ts", "@UseGuards(AuthGuard('jwt'))"),
        ("src/main/java/OrderController.java", "@PreAuthorize(\"hasRole('ADMIN')\")"),
        ("app/controllers/orders_controller.rb", "before_action :authenticate_user!"),
        (
            "routes/web.php",
            "Route::get('/orders', [OrderController::class, 'index'])->middleware('auth');",
        ),
        ("Controllers/OrdersController.cs", '[Authorize(Roles = "Admin")]'),
        ("internal/http/routes.go", "r.Use(RequireAuth(sessions))"),
    ],
)
def test_removing_a_guard_in_each_language_is_medium(path: str, guard: str) -> None:
    assert (
        rules("auth", change(path, "x = 1", removed=guard))["auth.guard-removed"] == Severity.MEDIUM
    )
    moved = change(path, f"# moved\n{guard}", removed=guard)
    assert "auth.guard-removed" not in rules("auth", moved)
    assert rules("auth", change(path, guard))["auth.marker"] == Severity.LOW


def test_weak_hash_is_info_outside_auth_code_and_medium_inside() -> None:
    line = "key = hashlib.md5(url.encode()).hexdigest()"
    assert rules("auth", change("cache/keys.py", line))["auth.weak-hash"] == Severity.INFO
    assert rules("auth", change("app/auth/tokens.py", line))["auth.weak-hash"] == Severity.MEDIUM
    assert "auth.weak-hash" not in rules(
        "auth", change("cache/keys.py", "hashlib.sha256(b).hexdigest()")
    )


@pytest.mark.parametrize(
    "path",
    ["docs/security/auth.md", "tests/test_views.py", "spec/fixtures/session.rb", "README.md"],
)
def test_docs_tests_and_fixtures_are_not_auth_code(path: str) -> None:
    prose = "@csrf_exempt\nrequests.get(url, verify=False)\npermission_classes = [AllowAny]"
    assert found("auth", change(path, prose)) == []


@pytest.mark.parametrize(
    "line",
    [
        "def csrf_exempt(view_func):",
        "# views decorated with @csrf_exempt skip the check",
        "class AllowAny(BasePermission):",
        "response.set_cookie(key, samesite=None)",
        "class PBKDF2SHA1PasswordHasher(PBKDF2PasswordHasher):",
        "key = md5(url.encode(), usedforsecurity=False).hexdigest()",
    ],
)
def test_definitions_comments_and_declared_uses_are_not_findings(line: str) -> None:
    hits = rules("auth", change("lib/security/core.py", line))
    assert not {k for k, v in hits.items() if v >= Severity.MEDIUM}, hits


def test_a_regex_that_describes_a_risk_is_not_the_risk() -> None:
    line = '    r"@csrf_exempt\\b|WTF_CSRF_ENABLED\\s*=\\s*False",'
    assert rules("auth", change("lint/rules.py", line)) == {}


def test_a_trailing_comment_is_not_code() -> None:
    assert (
        rules("auth", change("app/views.py", "return None  # unlike AllowAny, this checks")) == {}
    )
    assert "auth.authz-open" in rules(
        "auth", change("app/views.py", "permission_classes = [AllowAny]  # public")
    )


def test_a_class_named_like_security_is_not_a_fastapi_guard() -> None:
    line = "class HTTP2InadequateSecurity(HTTP2Error):"
    assert rules("auth", change("gunicorn/http2/errors.py", line)) == {}


@pytest.mark.parametrize(
    "line",
    [
        "from app.common import current_user, login_user, logout_user",
        "import bcrypt",
        "import { NextAuth } from 'next-auth'",
        "        migrations.swappable_dependency(settings.AUTH_USER_MODEL),",
        "    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)",
        "    boundary = secrets.token_hex(16)",
        "        return crypto.createHash('sha256').update(url.href).digest();",
    ],
)
def test_imports_and_user_model_references_are_no_markers(line: str) -> None:
    """From the apps' noise run: an import names a helper without using it, every model
    and migration with a user names AUTH_USER_MODEL, a multipart boundary is random; a
    digest of a URL (Ghost's link index) is no crypto anyone reviews."""
    path = "app/views.js" if "crypto." in line else "app/views.py"
    assert rules("auth", change(path, line)) == {}


def test_an_hmac_and_a_constant_time_compare_are_still_markers() -> None:
    for line in ("const mac = crypto.createHmac('sha256', key);", "crypto.timingSafeEqual(a, b)"):
        assert rules("auth", change("src/webhooks.js", line)) == {"auth.marker": Severity.LOW}


def test_setting_the_user_model_and_calling_login_are_markers() -> None:
    assert rules("auth", change("shop/settings.py", "AUTH_USER_MODEL = 'accounts.User'")) == {
        "auth.marker": Severity.LOW
    }
    assert rules("auth", change("app/views.py", "login_user(user, remember=True)")) == {
        "auth.marker": Severity.LOW
    }


def test_a_name_in_a_multi_line_import_is_no_marker() -> None:
    """ckan 2.10.4: one name added inside `from ckan.common import (` … `)`, whose
    opening line is context, not added."""
    diff = (
        "diff --git a/ckan/views/user.py b/ckan/views/user.py\n"
        "--- a/ckan/views/user.py\n+++ b/ckan/views/user.py\n"
        "@@ -1,5 +1,5 @@\n"
        " from ckan.common import (\n"
        "-    _, config, g, request, current_user, login_user, session,\n"
        "+    _, config, g, request, current_user, login_user, session, repr_untrusted,\n"
        " )\n"
        " \n"
        "-x = 1\n"
        "+login_user(user)\n"
    )
    [changed] = parse_git_diff(diff)
    [marker] = found("auth", changed)
    assert (marker.rule, marker.line) == ("auth.marker", 5)
    # the reviewer is told what the line touches, not only that it does
    assert marker.message.endswith("code (`login_user`)")


def test_a_marker_message_names_the_first_line_and_counts_the_rest() -> None:
    lines = "@login_required\ndef inbox(request):\n    return check_password(pw, h)\n"
    [marker] = found("auth", change("app/views.py", lines))
    assert marker.message == (
        "touches authentication, authorization, session or crypto code "
        "(`@login_required`; and 1 more line)"
    )


def test_a_minified_bundle_losing_a_guard_is_not_a_removed_guard() -> None:
    """misago's rebuilt misago.js: one 100 KB line out, another in, three times."""
    bundle = "var a=1;" * 400
    old = bundle + 'app.use(passport.authenticate("jwt"));' + bundle
    changed = change("static/js/app.js", bundle + "var b=2;", removed=old)
    assert "auth.guard-removed" not in rules("auth", changed)
    short = change(
        "static/js/app.js", "var b = 2;", removed='app.use(passport.authenticate("jwt"));'
    )
    assert "auth.guard-removed" in rules("auth", short)


def test_a_package_named_like_auth_in_a_manifest_is_no_marker() -> None:
    """OctoPrint's setup.py gaining `"argon2-cffi>=23.1.0"`: the dependencies detector
    reports the package; auth has nothing to add."""
    assert rules("auth", change("setup.py", '    "argon2-cffi>=23.1.0",')) == {}
    assert rules("auth", change("package.json", '    "bcrypt": "^5.1.0",')) == {}
    assert rules("auth", change("src/hashing.py", "hasher = argon2.PasswordHasher()")) == {
        "auth.marker": Severity.LOW
    }


def _diff(path: str, *hunks: str) -> list[ChangedFile]:
    body = "".join(textwrap.dedent(h).lstrip("\n") for h in hunks)
    return parse_git_diff(f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n{body}")


def _auth(files: list[ChangedFile]) -> list[tuple[str, int | None, Severity]]:
    return [(f.rule, f.line, f.severity) for f in found("auth", *files) if f.rule != "auth.path"]


def test_a_risky_line_the_change_only_rewrites_is_low() -> None:
    """A formatter's quotes (requests' move to black), a renamed variable (httpx), a
    line indented under a new `if` (CKAN): the base had the same switch in the same
    hunk, so the change adds no risk; it is still shown, at low."""
    quotes = _diff(
        "client/adapters.py",
        """
        @@ -10,3 +10,3 @@ def cert_verify(conn, verify):
             if not verify:
        -        conn.cert_reqs = 'CERT_NONE'
        +        conn.cert_reqs = "CERT_NONE"
                 conn.ca_certs = None
        """,
    )
    renamed = _diff(
        "client/config.py",
        """
        @@ -40,6 +40,5 @@ def create_ssl_context(verify):
             elif verify is False:
        -        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        -        ssl_context.check_hostname = False
        -        ssl_context.verify_mode = ssl.CERT_NONE
        -        return ssl_context
        +        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        +        ctx.check_hostname = False
        +        ctx.verify_mode = ssl.CERT_NONE
             elif isinstance(verify, str):
        """,
    )
    indented = _diff(
        "web/app.py",
        """
        @@ -20,2 +20,3 @@ def exempt(view):
        -    csrf.exempt(dest)
        +    if view:
        +        csrf.exempt(dest)
             return view
        """,
    )
    assert _auth(quotes) == [("auth.tls-verify-disabled", 11, Severity.LOW)]
    assert _auth(renamed) == [
        ("auth.tls-verify-disabled", 42, Severity.LOW),
        ("auth.tls-verify-disabled", 43, Severity.LOW),
    ]
    assert _auth(indented) == [("auth.csrf-disabled", 21, Severity.LOW)]
    [finding] = [f for f in found("auth", *quotes) if f.rule != "auth.path"]
    assert "line 11 before it did the same" in finding.message


def test_a_risky_line_moved_elsewhere_or_added_once_more_stays_high() -> None:
    """Where a switch sits is what makes it dangerous: one taken out of a test helper and
    put in another hunk is new there; a hunk that adds two copies and removes one adds
    one; turning verification off where it was on is new."""
    moved = _diff(
        "client/http.py",
        """
        @@ -5,2 +5,1 @@ def helper_for_tests(url):
        -    return requests.get(url, verify=False)
             pass
        @@ -80,1 +79,2 @@ def fetch(url):
             log.info(url)
        +    return requests.get(url, verify=False)
        """,
    )
    doubled = _diff(
        "client/http.py",
        """
        @@ -5,1 +5,2 @@ def fetch(url):
        -    return requests.get(url, verify=False)
        +    first = requests.get(url, verify=False)
        +    return requests.get(url, verify=False)
        """,
    )
    switched = _diff(
        "client/http.py",
        """
        @@ -5,1 +5,1 @@ def fetch(url):
        -    return requests.get(url, verify=True)
        +    return requests.get(url, verify=False)
        """,
    )
    assert _auth(moved) == [("auth.tls-verify-disabled", 80, Severity.HIGH)]
    assert _auth(doubled) == [
        ("auth.tls-verify-disabled", 5, Severity.LOW),
        ("auth.tls-verify-disabled", 6, Severity.HIGH),
    ]
    assert _auth(switched) == [("auth.tls-verify-disabled", 5, Severity.HIGH)]
