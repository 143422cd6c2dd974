"""Secrets on added lines: every rule found, its value never in the finding, near misses not.

Test tokens are built from the documented format with filler characters.
"""

from __future__ import annotations

import pytest

from app.detect.base import Severity
from app.detect.registry import run_detectors
from tests.detect.content_helpers import change, found, rules

FILLER = "A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6S7t8U9v0W1x2Y3z4"


SECRET_CASES = [
    ("secret.aws-access-key-id", "AWS_KEY = 'AKIA" + "Z7X4Q2W9E5R1T8Y3" + "'"),
    ("secret.aws-secret-access-key", "aws_secret_access_key = " + FILLER[:40]),
    ("secret.github-token", "token: ghp_" + FILLER[:36]),
    ("secret.gitlab-token", "GITLAB = 'glpat-" + FILLER[:20] + "'"),
    ("secret.slack-token", "SLACK = 'xoxb-123456789012-" + FILLER[:24] + "'"),
    (
        "secret.slack-webhook",
        "url = 'https://hooks.slack.com/services/T0000/B0000/" + FILLER[:24] + "'",
    ),
    ("secret.stripe-key", "stripe.api_key = 'sk_live_" + FILLER[:24] + "'"),
    ("secret.openai-key", "OPENAI_API_KEY=sk-proj-" + FILLER[:44]),
    ("secret.anthropic-key", "key = 'sk-ant-api03-" + (FILLER * 2)[:90] + "'"),
    ("secret.npm-token", "//registry.npmjs.org/:_authToken=npm_" + FILLER[:36]),
    ("secret.pypi-token", "password = pypi-AgEIcHlwaS5vcmc" + (FILLER * 2)[:64]),
    ("secret.google-api-key", "MAPS = 'AIza" + FILLER[:35] + "'"),
    (
        "secret.jwt",
        "auth = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Sfl" + FILLER[:20] + "'",
    ),
    ("secret.url-password", "DATABASE_URL=postgres://app:" + FILLER[:12] + "@db.internal:5432/app"),
    ("secret.keyword-assignment", 'DB_PASSWORD = "Tr0ub4dor&3xyz"'),
    (
        "secret.detect-secrets.SendGrid API Key",
        "SENDGRID = 'SG." + FILLER[:22] + "." + (FILLER * 2)[:43] + "'",
    ),
    (
        "secret.private-key",
        '"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"',
    ),
]


NOT_SECRETS = [
    'DB_PASSWORD = os.environ["DB_PASSWORD"]',
    'password = "changeme"',
    'api_key = "${API_KEY}"',
    "DATABASE_URL=postgres://app:${DB_PASS}@db/app",
    'token_field_name = "token"',
    "aws_region = 'eu-west-1'",
    "AKIA is how AWS key ids start",
    "ghp_ is the prefix of a classic GitHub token",
]


@pytest.mark.parametrize(("rule", "line"), SECRET_CASES)
def test_secret_is_found_and_its_value_is_not_in_the_finding(rule: str, line: str) -> None:
    [finding] = [f for f in found("secrets", change("config/app.py", line)) if f.rule == rule]
    assert finding.severity >= Severity.HIGH
    assert finding.line == 1
    value = line.split("=", 1)[-1].split(":", 1)[-1].strip(" '\"")
    assert value[8:] not in finding.message  # no part of the secret body


@pytest.mark.parametrize("line", NOT_SECRETS)
def test_not_a_secret(line: str) -> None:
    assert [f for f in found("secrets", change("config/app.py", line)) if f.line] == []


def test_lockfiles_are_not_scanned_for_secrets() -> None:
    integrity = '"integrity": "sha512-' + FILLER + FILLER + '=="'
    token = "ghp_" + FILLER[:36]
    assert [
        f for f in found("secrets", change("package-lock.json", f"{integrity}\n{token}")) if f.line
    ] == []


def test_a_secret_in_migration_sql_is_redacted_from_every_message() -> None:
    sql = "ALTER USER app WITH PASSWORD 'Sup3r-S3cret-Pw!';\nALTER TABLE t DROP COLUMN c;\n"
    findings = run_detectors([change("db/migrations/V9__x.sql", sql)], {})
    text = " ".join(f.message + str(f.extra) for f in findings)
    assert "Sup3r-S3cret-Pw!" not in text
    assert any(f.rule == "migration.drop-column" for f in findings)


def test_a_token_in_test_data_is_shown_at_medium() -> None:
    line = "token: 'ghp_" + FILLER[:36] + "'"
    [finding] = [f for f in found("secrets", change("tests/fixtures/tokens.js", line)) if f.line]
    assert finding.severity == Severity.MEDIUM
    assert "test, fixture or doc" in finding.message


NEAR_MISSES = {
    "secret.aws-access-key-id": "AWS_KEY = 'AKIA" + "Z7X4Q2" + "'",
    "secret.aws-secret-access-key": "aws_secret_access_key = os.environ['AWS_SECRET']",
    "secret.github-token": "token: ghp_" + FILLER[:12],
    "secret.gitlab-token": "GITLAB = 'glpat-" + FILLER[:8] + "'",
    "secret.slack-token": "SLACK = 'xoxb-'",
    "secret.slack-webhook": "url = 'https://hooks.slack.com/services/'",
    "secret.stripe-key": "stripe.api_key = 'sk_live_' + key",
    "secret.openai-key": "OPENAI_API_KEY=sk-proj-",
    "secret.anthropic-key": "key = 'sk-ant-api03-'",
    "secret.npm-token": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    "secret.pypi-token": "password = pypi-AgEIcHlwaS5vcmc",
    "secret.google-api-key": "MAPS = 'AIza" + FILLER[:10] + "'",
    "secret.jwt": "auth = 'eyJhbGciOiJIUzI1NiJ9'",
    "secret.url-password": "DATABASE_URL=postgres://app:${DB_PASS}@db.internal:5432/app",
    "secret.keyword-assignment": 'DB_PASSWORD = "password"',
    "secret.detect-secrets.SendGrid API Key": "SENDGRID = 'SG.short.key'",
    "secret.private-key": "-----BEGIN RSA PUBLIC KEY-----",
}


def test_every_secret_rule_has_a_near_miss() -> None:
    assert set(NEAR_MISSES) == {rule for rule, _ in SECRET_CASES}


@pytest.mark.parametrize(("rule", "line"), sorted(NEAR_MISSES.items()))
def test_secret_near_miss_is_not_found(rule: str, line: str) -> None:
    assert rule not in {f.rule for f in found("secrets", change("config/app.py", line))}


def test_an_env_line_quoted_in_code_is_not_a_secret_value() -> None:
    line = '"secret.openai-key": "OPENAI_API_KEY=sk-proj-",'
    assert [f for f in found("secrets", change("lint/cases.py", line)) if f.line] == []


KEY_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"


def test_a_private_key_in_test_data_is_low() -> None:
    key = f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA PRIVATE KEY-----"
    [finding] = found("secrets", change("tests/fixtures/key.txt", key))
    assert finding.severity == Severity.LOW
    assert "test, fixture or doc" in finding.message


def test_a_private_key_header_alone_is_a_constant_not_a_key() -> None:
    lines = 'PEM_HEADER = "-----BEGIN PRIVATE KEY-----"\nPEM_FOOTER = "-----END PRIVATE KEY-----"'
    [finding] = found("secrets", change("app/crypto/pem.py", lines))
    assert finding.severity == Severity.LOW
    assert "without a key body" in finding.message


def test_a_private_key_in_code_is_critical() -> None:
    key = f'KEY = """-----BEGIN EC PRIVATE KEY-----\n{KEY_BODY}\n-----END EC PRIVATE KEY-----"""'
    [finding] = found("secrets", change("app/signing.py", key))
    assert finding.severity == Severity.CRITICAL


def test_made_up_passwords_in_tests_are_low_provider_tokens_medium() -> None:
    lines = (
        f'password = "hunter22x"\nurl = "postgres://app:s3cretpw@db/app"\ntok = "ghp_{FILLER[:36]}"'
    )
    found_here = found("secrets", change("tests/test_login.py", lines))
    assert {f.rule: f.severity for f in found_here} == {
        "secret.keyword-assignment": Severity.LOW,
        "secret.url-password": Severity.LOW,
        "secret.github-token": Severity.MEDIUM,
    }


def test_a_token_in_requirements_txt_is_not_docs() -> None:
    line = f"git+https://ghp_{FILLER[:36]}@github.com/acme/private.git#egg=private"
    found_here = found("secrets", change("requirements.txt", line))
    [finding] = [f for f in found_here if f.rule == "secret.github-token"]
    assert finding.severity == Severity.CRITICAL


@pytest.mark.parametrize(
    "line",
    [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",  # AWS's own documentation key
        "token: ghp_" + "x" * 36,
        "GITHUB_TOKEN=ghp_" + "X" * 36,
        'stripe = "sk_live_' + "0" * 24 + '"',
        "npm_token: npm_" + "a" * 36,
    ],
)
def test_documentation_stand_ins_in_a_providers_format_are_not_secrets(line: str) -> None:
    assert rules("secrets", change("config/settings.py", line)) == {}


def test_slack_app_tokens_are_found() -> None:
    line = "SLACK_APP_TOKEN = 'xapp-1-A0123456789-1234567890123-" + "ab12" * 16 + "'"
    assert rules("secrets", change("config/slack.py", line)) == {
        "secret.slack-token": Severity.CRITICAL
    }


def test_a_random_value_assigned_to_a_token_name_is_found() -> None:
    line = 'API_TOKEN = "Zq8vR2mN5xK9pL3wT7yB4cF6hJ1sD0gA8eQ2uV5iO9rY3tW6nM4bX7zC1kL8pE0s"'
    assert rules("secrets", change("app/settings.py", line)) == {
        "secret.keyword-assignment": Severity.HIGH
    }


@pytest.mark.parametrize(
    "line",
    [
        'csrf_token = "csrf-token-not-set"',  # words, not a value
        'API_TOKEN = "abcdefghijklmnopqrstuvwxyz"',  # one kind of character
        'SESSION_TOKEN = "Ab3$short"',  # too short for a token a machine made
        '"access_token":"2YotnFZFEjr1zCsicMWpAA",',  # RFC 6749's example, in OAuth docs
    ],
)
def test_token_names_with_human_values_are_not_secrets(line: str) -> None:
    assert rules("secrets", change("app/settings.py", line)) == {}
