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
            added(".env.production", "DB=x"),
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
