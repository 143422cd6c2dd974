"""Auth rules read from syntax: settings in any spelling, order or line, through a
constant; statements over several lines; what is only a string; what a diff shows."""

from __future__ import annotations

import pytest

from app.detect.auth.syntax import Lines, Source
from app.detect.base import ChangedFile, FileStatus, Severity
from app.detect.diff import head_view, parse_git_diff
from tests.detect.content_helpers import change, found, rules

TLS = "auth.tls-verify-disabled"


@pytest.mark.parametrize(
    ("path", "code", "rule"),
    [
        # a keyword argument on its own line, in a call that starts lines before
        ("svc/pay.py", "r = requests.post(\n    url,\n    json=body,\n    verify=False,\n)", TLS),
        # a module constant two functions away
        (
            "svc/pay.py",
            "VERIFY = False\n\n\ndef get(u):\n    return requests.get(u, timeout=3, verify=VERIFY)",
            TLS,
        ),
        # options held in a variable, then passed
        (
            "api/tokens.py",
            'NO_CHECK = {"verify_signature": False}\n'
            'jwt.decode(t, k, algorithms=["HS256"], options=NO_CHECK)',
            "auth.jwt-verify-disabled",
        ),
        (
            "api/tokens.py",
            'jwt.decode(t, k, algorithms=["HS256", "none"])',
            "auth.jwt-verify-disabled",
        ),
        ("src/agent.js", "const V = false;\nnew https.Agent({ rejectUnauthorized: V });", TLS),
        (
            "src/api.ts",
            "jwt.verify(t, k, {\n  algorithms: ['HS256', 'none'],\n});",
            "auth.jwt-verify-disabled",
        ),
        ("pkg/c.go", "cfg := &tls.Config{}\ncfg.InsecureSkipVerify = true", TLS),
        (
            "pkg/c.go",
            'c.SetCookie("session", sid, 3600, "/", "", false, false)',
            "auth.cookie-insecure",
        ),
        ("Sec.java", "http\n    .csrf()\n    .disable();", "auth.csrf-disabled"),
        (
            "Sec.java",
            'ResponseCookie.from("s", v)\n    .httpOnly(false)\n    .build();',
            "auth.cookie-insecure",
        ),
        (
            "Sec.kt",
            'val c = Cookie("SESSION", s).apply {\n    isHttpOnly = false\n}',
            "auth.cookie-insecure",
        ),
        ("app/clients/pay.rb", "Faraday.new(url: u, ssl: { verify: false })", TLS),
        (
            "app/Gateway.php",
            "<?php\ncurl_setopt_array($ch, [\n    CURLOPT_SSL_VERIFYPEER => false,\n]);",
            TLS,
        ),
        (
            "app/Gateway.php",
            "<?php\nini_set('session.cookie_httponly', '0');",
            "auth.cookie-insecure",
        ),
        (
            "src/Startup.cs",
            "var p = new TokenValidationParameters\n{\n    ValidateLifetime = false,\n};",
            "auth.jwt-verify-disabled",
        ),
        ("src/Startup.cs", "options.RequireHttpsMetadata = false;", "auth.insecure-transport"),
        # a family of keys: any framework's auth-cookie flag
        ("conf/settings.py", "REMEMBER_COOKIE_SECURE = False", "auth.cookie-insecure"),
        (
            "api/csrf.py",
            "class Csrf(BaseModel):\n    cookie_secure: bool = False",
            "auth.cookie-insecure",
        ),
    ],
)
def test_settings_are_read_by_syntax(path: str, code: str, rule: str) -> None:
    assert rules("auth", change(path, code)).get(rule) == Severity.HIGH, code


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("svc/pay.py", "VERIFY = True\nrequests.get(u, verify=VERIFY)"),
        ("svc/pay.py", 'requests.get(u, verify="/etc/ssl/ca.pem")'),
        # a key named like a switch in data that configures nothing
        ("svc/forms.py", 'fields = {"verify": False, "label": "Verify later"}'),
        ("src/a.js", "const analytics = { origin: '*', source: 'landing' };"),
        # a message that quotes the switch
        ("src/a.js", "throw new Error('Do not set NODE_TLS_REJECT_UNAUTHORIZED=0 here');"),
        # a cookie whose name says nothing of auth
        ("svc/views.py", 'response.set_cookie("theme", "dark", httponly=False, secure=True)'),
        ("src/a.js", "res.cookie('theme', 'dark', { httpOnly: false, secure: true });"),
        ("pkg/c.go", "cfg := &tls.Config{InsecureSkipVerify: false}"),
        # a language cookie's flags are not an auth cookie's
        ("conf/settings.py", "LANGUAGE_COOKIE_SECURE = False\nLANGUAGE_COOKIE_HTTPONLY = False"),
        ("pkg/c.go", 'c.SetCookie("session", sid, 3600, "/", "", true, true)'),
        # a key function passed by name may check the method: it cannot be seen here
        ("pkg/a.go", "token, err := jwt.ParseWithClaims(raw, claims, keyFunc)"),
    ],
)
def test_safe_uses_stay_quiet(path: str, code: str) -> None:
    high = {r: s for r, s in rules("auth", change(path, code)).items() if s >= Severity.MEDIUM}
    assert high == {}, code


def test_cors_any_origin_with_credentials_over_lines_is_high() -> None:
    code = 'app.add_middleware(\n    CORSMiddleware,\n    allow_origins=["*"],\n    allow_credentials=True,\n)'
    assert rules("auth", change("api/main.py", code))["auth.cors-permissive"] == Severity.HIGH
    js = "const o = { origin: true, credentials: true };\napp.use(cors(o));"
    assert rules("auth", change("src/app.js", js))["auth.cors-permissive"] == Severity.HIGH


def test_a_public_route_opened_is_low_an_admin_one_medium() -> None:
    login = '[AllowAnonymous]\n[HttpGet("login")]\npublic IActionResult Login() => View();'
    admin = '[AllowAnonymous]\n[HttpDelete("admin/users/{id}")]\npublic IActionResult Delete(int id) => Ok();'
    assert rules("auth", change("src/Api.cs", login))["auth.authz-open"] == Severity.LOW
    assert rules("auth", change("src/Api.cs", admin))["auth.authz-open"] == Severity.MEDIUM


def test_windows_weak_hash_then_password_and_decoded_token_trusted() -> None:
    digest = 'MessageDigest md = MessageDigest.getInstance("MD5");\nbyte[] h = md.digest(password.getBytes());'
    assert (
        rules("auth", change("src/Users.java", digest))["auth.weak-password-hash"] == Severity.HIGH
    )
    decoded = "const u = jwt.decode(token);\nreq.user = await User.findById(u.sub);"
    assert (
        rules("auth", change("src/mw.js", decoded))["auth.jwt-verify-disabled"] == Severity.MEDIUM
    )
    checked = decoded + "\njwt.verify(token, key, { algorithms: ['RS256'] });"
    assert "auth.jwt-verify-disabled" not in rules("auth", change("src/mw.js", checked))
    display = "const { exp } = jwtDecode(accessToken);\nscheduleRefresh(exp);"
    assert "auth.jwt-verify-disabled" not in rules("auth", change("src/ui.js", display))


def test_one_finding_per_statement() -> None:
    code = "REST_FRAMEWORK = {\n    'DEFAULT_PERMISSION_CLASSES': [\n        'rest_framework.permissions.AllowAny',\n    ],\n}"
    hits = [
        f for f in found("auth", change("conf/settings.py", code)) if f.rule == "auth.authz-open"
    ]
    assert len(hits) == 1


def test_a_modified_file_is_read_through_its_hunks_context() -> None:
    """The call started on a context line; only the verify=False line is new."""
    diff = (
        "diff --git a/svc/pay.py b/svc/pay.py\n--- a/svc/pay.py\n+++ b/svc/pay.py\n"
        "@@ -10,4 +10,5 @@ def pay():\n"
        "     resp = session.post(\n"
        "         url,\n"
        "+        verify=False,\n"
        "         json=body,\n"
        "     )\n"
    )
    (changed,) = parse_git_diff(diff)
    findings = [f for f in found("auth", changed) if f.rule == TLS]
    assert [(f.line, f.severity) for f in findings] == [(12, Severity.HIGH)]


def test_only_what_rests_on_added_lines_is_reported() -> None:
    """An old `verify=False` in the hunk's context is not this change's doing."""
    diff = (
        "diff --git a/svc/pay.py b/svc/pay.py\n--- a/svc/pay.py\n+++ b/svc/pay.py\n"
        "@@ -10,3 +10,4 @@\n"
        "     resp = requests.get(u, verify=False)\n"
        "+    other = requests.get(v, timeout=3)\n"
        "     return resp\n"
    )
    (changed,) = parse_git_diff(diff)
    assert TLS not in rules("auth", changed)


def test_head_view_keeps_context_and_added_lines_at_their_numbers() -> None:
    patch = "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -20 +20,2 @@\n x\n+y\n"
    assert head_view(patch) == {1: "a", 2: "B", 3: "c", 20: "x", 21: "y"}
    assert head_view("not a patch") == {}


def test_source_settings_read_constants_and_lines() -> None:
    source = Source("V = False\n\nx = f(u,\n  verify=V)\n", "python")
    (setting,) = list(source.settings(Lines([4]), frozenset({"verify"})))
    assert (setting.key, setting.value, setting.line) == ("verify", False, 4)
    assert setting.lines == {1, 4}  # the constant's line too
    assert "f" in setting.context


def test_broken_code_is_read_without_raising() -> None:
    """A hunk is seldom a whole program; the grammar recovers and nothing raises."""
    changed = ChangedFile(
        path="svc/x.py",
        status=FileStatus.ADDED,
        added=[(1, "def f(:"), (2, "    requests.get(u, verify=False"), (3, "}}}")],
    )
    assert rules("auth", changed).get(TLS) == Severity.HIGH


def test_a_switch_in_a_message_is_prose_but_in_a_setting_string_it_counts() -> None:
    hashers = (
        'PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]\n'
        "SESSION_COOKIE_SECURE = False\n"  # a risky value: the file is parsed
    )
    found = rules("auth", change("conf/settings.py", hashers))
    assert found["auth.weak-password-hash"] == Severity.HIGH
    command = 'os.system("NODE_TLS_REJECT_UNAUTHORIZED=0 node server.js")\nverify = False'
    assert rules("auth", change("ops/run.py", command)).get(TLS) == Severity.HIGH
    longer = 'os.system("export NODE_TLS_REJECT_UNAUTHORIZED=0 && node app.js")\nverify = False'
    assert rules("auth", change("ops/run.py", longer)).get(TLS) == Severity.HIGH
    message = "raise RuntimeError('never set NODE_TLS_REJECT_UNAUTHORIZED=0 in production')"
    assert TLS not in rules("auth", change("ops/run.py", message + "\nverify = False"))


def test_a_minified_line_is_not_parsed_and_the_rest_of_the_file_still_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Positions are counted along a node's line: a 1 MB bundle line walked node by node
    never ended. The parser gets the file without it; the settings around it count."""
    from app.detect.auth import content

    parsed: list[str] = []

    class Recording(Source):
        def __init__(self, text: str, grammar: str) -> None:
            parsed.append(text)
            super().__init__(text, grammar)

    monkeypatch.setattr(content, "Source", Recording)
    bundle = "var a=" + ";".join(f"f{i}({{verify:false}})" for i in range(2_000))
    code = f"{bundle}\nconst V = false;\nnew https.Agent({{\n  rejectUnauthorized: V,\n}});"
    assert rules("auth", change("public/app.js", code)).get(TLS) == Severity.HIGH
    assert parsed
    assert max(len(line) for line in parsed[0].split("\n")) <= content.MAX_LINE
