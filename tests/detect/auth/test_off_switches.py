"""Explicit off-switches of auth protections, as frameworks spell them (issue 13's
list): each found on its own line, and its safe setting not."""

from __future__ import annotations

import pytest

from tests.detect.helpers import added, rules_for


@pytest.mark.parametrize(
    ("path", "risky", "safe", "rule"),
    [
        (
            "app.py",
            "app.config['WTF_CSRF_ENABLED'] = False",
            "app.config['WTF_CSRF_ENABLED'] = True",
            "auth.csrf-disabled",
        ),
        (
            "config/packages/framework.php",
            "    'csrf_protection' => false,",
            "    'csrf_protection' => true,",
            "auth.csrf-disabled",
        ),
        (
            "app/Http/Middleware/VerifyCsrfToken.php",
            "    protected $except = ['*'];",
            "    protected $except = ['stripe/*'];",
            "auth.csrf-disabled",
        ),
        (
            "server.js",
            "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';",
            "process.env.NODE_TLS_REJECT_UNAUTHORIZED = '1';",
            "auth.tls-verify-disabled",
        ),
        (
            "server.js",
            'process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = 0;',
            'process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = 1;',
            "auth.tls-verify-disabled",
        ),
        (
            "config/initializers/session_store.rb",
            "Rails.application.config.session_store :cookie_store, key: '_app', httponly: false",
            "Rails.application.config.session_store :cookie_store, key: '_app', httponly: true",
            "auth.cookie-insecure",
        ),
        (
            "app/views.py",
            "response.set_cookie('session', value, httponly=False)",
            "response.set_cookie('session', value, httponly=True)",
            "auth.cookie-insecure",
        ),
        (
            "app.py",
            "app.config['SESSION_COOKIE_HTTPONLY'] = False",
            "app.config['SESSION_COOKIE_HTTPONLY'] = True",
            "auth.cookie-insecure",
        ),
        (
            "app/lib/token.rb",
            "payload = JWT.decode(token, key, false)",
            "payload = JWT.decode(token, key, true, algorithm: 'HS256')",
            "auth.jwt-verify-disabled",
        ),
        (
            "app.js",
            "jwt.verify(token, key, { algorithms: ['none'] })",
            "jwt.verify(token, key, { algorithms: ['HS256'] })",
            "auth.jwt-verify-disabled",
        ),
        (
            "config/initializers/doorkeeper.rb",
            "  force_ssl_in_redirect_uri false",
            "  force_ssl_in_redirect_uri true",
            "auth.insecure-transport",
        ),
        (
            "app.py",
            "os.environ['OAUTHLIB_INSECURE_TRANSPORT'] = '1'",
            "os.environ.pop('OAUTHLIB_INSECURE_TRANSPORT', None)",
            "auth.insecure-transport",
        ),
        (
            "app/server.py",
            "resp.headers['Access-Control-Allow-Origin'] = '*'",
            "resp.headers['Access-Control-Allow-Origin'] = 'https://shop.example'",
            "auth.cors-permissive",
        ),
    ],
)
def test_an_off_switch_is_found_and_its_safe_setting_not(
    path: str, risky: str, safe: str, rule: str
) -> None:
    assert rule in rules_for("auth", added(path, risky))
    assert rule not in rules_for("auth", added(path, safe))


def test_a_signature_default_is_not_a_setting() -> None:
    text = "    def set_cookie(\n        self, key, value='',\n        httponly=False,\n    ):\n"
    assert "auth.cookie-insecure" not in rules_for("auth", added("app/http.py", text))


def test_any_origin_with_credentials_set_through_response_headers_is_high() -> None:
    text = (
        "resp.headers['Access-Control-Allow-Origin'] = '*'\n"
        "resp.headers['Access-Control-Allow-Credentials'] = 'true'\n"
    )
    from app.detect.base import Severity
    from app.detect.registry import DETECTORS

    found = DETECTORS["auth"].detect(
        [added("app/cors.py", text)], DETECTORS["auth"].settings_model()
    )
    [cors] = [f for f in found if f.rule == "auth.cors-permissive"]
    assert cors.severity == Severity.HIGH
