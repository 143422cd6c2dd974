"""Files that should never be committed, and private-key blocks."""

from __future__ import annotations

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Severity
from app.detect.registry import DETECTORS
from tests.detect.helpers import added, rules_for


def test_secret_files_and_private_key_blocks() -> None:
    body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"
    key_block = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    findings = DETECTORS["secrets"].detect(
        [
            added("deploy/id_rsa"),
            added(".env.production", "SENTRY_ENV=prod\nMAILER_ID=Xk29dLq0Pz7w"),
            added(".env.example"),
            added("config/settings.py", key_block),
            added("certs/server.pub"),
        ],
        DetectorSettings(),
    )
    located = {(f.rule, f.file, f.line, f.severity) for f in findings}
    assert located == {
        ("secret.key-file", "deploy/id_rsa", None, Severity.CRITICAL),
        ("secret.env-file", ".env.production", None, Severity.HIGH),
        ("secret.private-key", "config/settings.py", 1, Severity.CRITICAL),
    }
    assert all("MIIE" not in f.message for f in findings)


def test_removing_a_key_file_is_not_a_leak() -> None:
    removed = ChangedFile(path="old/server.key", status=FileStatus.REMOVED)
    assert rules_for("secrets", removed) == []


def test_key_and_env_files_of_tests_docs_and_dev_containers_are_low() -> None:
    findings = DETECTORS["secrets"].detect(
        [
            added("tests/certs/server.key"),
            added("src/mailman/testing/ssl_test_key.key"),  # a package's test helpers
            added(".env.test", "DB=x"),
            added(".devcontainer/devcontainer.env", "DB=x"),
            added("docs/examples/credentials.json"),
        ],
        DetectorSettings(),
    )
    assert {(f.file, f.severity) for f in findings} == {
        ("tests/certs/server.key", Severity.LOW),
        ("src/mailman/testing/ssl_test_key.key", Severity.LOW),
        (".env.test", Severity.LOW),
        (".devcontainer/devcontainer.env", Severity.LOW),
        ("docs/examples/credentials.json", Severity.LOW),
    }
    assert all(f.message.endswith("(in test, docs or dev-container data: low)") for f in findings)


def test_a_key_file_in_a_dev_container_is_still_critical() -> None:
    [finding] = DETECTORS["secrets"].detect([added(".devcontainer/id_rsa")], DetectorSettings())
    assert finding.severity == Severity.CRITICAL


def _env_severity(path: str, text: str, **fields: object) -> Severity:
    changed = added(path, text)
    for name, value in fields.items():
        setattr(changed, name, value)
    [finding] = DETECTORS["secrets"].detect([changed], DetectorSettings())
    assert finding.rule == "secret.env-file"
    return finding.severity


def test_an_env_file_that_only_pins_images_versions_and_ports_is_low() -> None:
    """Budibase's images-sha.env (digests), a compose .env: nothing in them can leak."""
    digests = (
        "MSSQL_SHA=sha256:d252932ef839c24c61c1139cc98f69c85ca774fa7c6bfaaa0015b7eb02b9dc87\n"
        "KEYCLOAK_IMAGE=keycloak/keycloak@sha256:"
        "044a457e04987e1fff756be3d2fa325a4ef420fa356b7034ecc9f1b693c32761\n"
    )
    assert _env_severity("images-sha.env", digests) == Severity.LOW
    compose = '# ports\nPORT=8080\nexport DEBUG=true\nPG_IMAGE="postgres:16-alpine"\n'
    compose += "APP_URL=https://shop.example.com/\nNODE_ENV=production\n"
    assert _env_severity(".env", compose) == Severity.LOW


def test_an_env_file_with_any_value_that_could_be_a_secret_stays_high() -> None:
    for line in (
        "DB_PASS=x",  # a secret's name, whatever its value
        "API_KEY=abc",
        "MAILER=Xk29dLq0Pz7wQ",  # a neutral name, a value that could be a key
        "BACKUP=a8f3k2m9x7q1w4e6a8f3",
        "STORE=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz",
        "LICENSE=3f2a1b4c-9d8e-4f7a-b6c5-1a2b3c4d5e6f",  # a UUID: a key at some providers
        "RELEASE=deadbeef12.cafe",
        "DATABASE_URL=postgres://app@db/app",  # a user in the address
        "not an assignment",
    ):
        severity = max(
            f.severity
            for f in DETECTORS["secrets"].detect(
                [added(".env", f"PORT=8080\n{line}\n")], DetectorSettings()
            )
        )
        assert severity == Severity.HIGH, line
    # lines the App was not given (no patch): not known to be harmless
    assert _env_severity(".env", "PORT=8080", patch_missing=True) == Severity.HIGH
