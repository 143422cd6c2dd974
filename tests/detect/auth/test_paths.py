"""Auth-sensitive paths, and the docs, tests and lookalikes that are not."""

from __future__ import annotations

import pytest

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from app.detect.base import DetectorSettings
from app.detect.registry import DETECTORS
from tests.detect.helpers import added, rules_for


@pytest.mark.parametrize(
    "path",
    [
        "app/auth/token.rb",
        "src/Security/Filter.java",
        "pkg/oauth2/client.go",
        "app/controllers/sessions_controller.rb",
        "config/initializers/devise.rb",
        "src/middleware.ts",
        "app/policies/order_policy.rb",
        "src/config/WebSecurityConfig.java",
        "src/pages/SignInPage.tsx",
        "app/auth.py",
        "internal/oauth2_client.go",
        "src/login-form.vue",
        "app/services/authentication_service.rb",
        "config/initializers/session_store.rb",
    ],
)
def test_auth_paths(path: str) -> None:
    assert rules_for("auth", added(path)) == ["auth.path"]


@pytest.mark.parametrize(
    "path",
    [
        "docs/auth/setup.md",
        "tests/auth/test_login.py",
        "src/author/profile.py",
        "spec/requests/sessions_spec.rb",
        "src/login.test.ts",
        "README.md",
        # keywords inside other words, and sessions that are not the login's
        "src/structlog/processors.py",
        "lib/signing.py",
        "app/crossover.py",
        "src/requests/sessions.py",
        "app/db/session.py",
        "src/blackd/middlewares.py",
    ],
)
def test_docs_tests_and_lookalikes_are_not_auth(path: str) -> None:
    assert rules_for("auth", added(path)) == []


def test_a_name_says_which_word_made_it_auth() -> None:
    [finding] = DETECTORS["auth"].detect([added("src/pages/SignInPage.tsx")], DetectorSettings())
    assert (
        finding.message
        == "src/pages/SignInPage.tsx is auth-sensitive by its name (the word 'signin')"
    )
