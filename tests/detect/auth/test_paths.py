"""Auth-sensitive paths, and the docs, tests and lookalikes that are not."""

from __future__ import annotations

import pytest

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Severity
from app.detect.registry import DETECTORS
from tests.detect.content_helpers import change, found, rules
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


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("src/octoprint/templates/login.jinja2", "markup or styles"),
        ("app/views/users/login.html.erb", "markup or styles"),
        ("static/css/signin.css", "markup or styles"),
        ("misago/acl/migrations/0001_initial.py", "a migration"),
        ("accounts/migrations/0005_add_sso_settings.py", "a migration"),
        ("db/migrate/20240101000000_add_oauth_tokens.rb", "a migration"),
        ("core/built/admin/assets/embed-signup-form-modal-BsCYUMvQ.js", "build output"),
        ("dist/auth/index.js", "build output"),
        # @octokit/auth-app ships its declarations beside the code
        ("dist-types/get-app-authentication.d.ts", "type declarations (no code that runs)"),
        ("typeshed/stubs/oauthlib/oauth2/auth.pyi", "type declarations (no code that runs)"),
    ],
)
def test_markup_and_migrations_named_for_auth_are_shown_without_a_call(
    path: str, kind: str
) -> None:
    """Seen on real apps' patch releases: a login page's template and an ACL app's
    migrations called security though the code that checks anyone had not changed."""
    [finding] = DETECTORS["auth"].detect([added(path)], DetectorSettings())
    assert finding.rule == "auth.path"
    assert finding.severity == Severity.INFO
    assert finding.message.endswith(f"; {kind}, so info only")
    [code] = DETECTORS["auth"].detect([added("src/pages/login_view.py")], DetectorSettings())
    assert code.severity == Severity.LOW


def test_an_auth_file_whose_changed_lines_are_all_comments_is_info() -> None:
    """GNU Mailman bumps the copyright year of passwords.py in most releases."""
    year = change(
        "src/mailman/utilities/passwords.py",
        "# Copyright (C) 2012-2020 by the Free Software Foundation, Inc.",
        removed="# Copyright (C) 2012-2019 by the Free Software Foundation, Inc.",
    )
    [finding] = DETECTORS["auth"].detect([year], DetectorSettings())
    assert (finding.rule, finding.severity) == ("auth.path", Severity.INFO)
    assert finding.message.endswith(
        "; only comments and log lines of fixed text changed, so info only"
    )
    for code in ("    return bcrypt.hash(secret)", "/* checked */ verify(token)", "*rest, = parts"):
        edited = change("src/mailman/utilities/passwords.py", code, removed="# before")
        [finding] = [f for f in found("auth", edited) if f.rule == "auth.path"]
        assert finding.severity == Severity.LOW, code


def test_a_log_line_of_fixed_text_in_auth_code_is_info() -> None:
    """semantic-release 24.2.2 added `debug("SSH key auth successful.");` to the
    function that puts the token in the git URL: nothing decided, nothing written out.
    A log line that writes a value, or does something else too, is code."""
    path = "lib/get-git-auth-url.js"
    logged = change(path, '  debug("SSH key auth successful.");', removed="  // Log completion")
    [finding] = DETECTORS["auth"].detect([logged], DetectorSettings())
    assert finding.severity == Severity.INFO
    for code in (
        "  debug(`auth with ${token}`);",
        '  debug("ok"); grant(user);',
        'log("a", url)',
        '  error("not signed in")',
    ):
        [finding] = [f for f in found("auth", change(path, code)) if f.rule == "auth.path"]
        assert finding.severity == Severity.LOW, code


@pytest.mark.parametrize(
    "path",
    [
        "src/calibreweb/cps/__pycache__/kobo_auth.cpython-38.pyc",
        "static/js/login.min.js",
        "src/mailman/testing/ssl_test_key.py",
    ],
)
def test_compiled_minified_and_testing_helpers_are_not_auth_code(path: str) -> None:
    assert rules_for("auth", added(path)) == []


def test_build_output_is_not_read_for_auth_and_a_binary_named_for_it_is_info() -> None:
    """Ghost's npm package ships its built admin: every release re-ordered a bundle's
    guards, and each read as removed access checks. The source carries the signal."""
    bundle = change(
        "core/built/admin/assets/ghost-2be32d911bb2b1909f18569834371cb0.js",
        "var a = 1;",
        removed="if (!session.isAuthenticated) { return this.transitionTo('signin'); }",
    )
    assert found("auth", bundle) == []
    source = change(
        "core/app/routes/admin.js",
        "var a = 1;",
        removed="if (!session.isAuthenticated) { return this.transitionTo('signin'); }",
    )
    assert "auth.guard-removed" in rules("auth", source)
    archive = ChangedFile("components/tryghost-adapter-base-sso-0.1.3.tgz", FileStatus.ADDED)
    archive.binary = True
    [finding] = DETECTORS["auth"].detect([archive], DetectorSettings())
    assert (finding.rule, finding.severity) == ("auth.path", Severity.INFO)
    assert "a binary file" in finding.message


def test_an_auth_file_moved_unchanged_is_info() -> None:
    moved = ChangedFile("web/auth/session.py", FileStatus.RENAMED, previous_path="session.py")
    [finding] = DETECTORS["auth"].detect([moved], DetectorSettings())
    assert (finding.rule, finding.severity) == ("auth.path", Severity.INFO)
    assert finding.message.endswith("; moved, nothing in it changed, so info only")
    edited = change("web/auth/session.py", "    return None", removed="    return user")
    edited.status, edited.previous_path = FileStatus.RENAMED, "session.py"
    [finding] = [f for f in found("auth", edited) if f.rule == "auth.path"]
    assert finding.severity == Severity.LOW


def test_paths_the_repository_gives_auth_are_read_where_the_defaults_skip_them() -> None:
    """Build output and test directories are not read for auth by default (a bundle
    repeats its source); a GitHub Action's committed `dist/index.js` is what runs, so
    `detectors.auth.paths` brings such a path back: a guard removed there is found."""
    auth = DETECTORS["auth"]
    guard = "router.use(passport.authenticate('jwt', { session: false }));"
    bundle = change("dist/index.js", "const ok = true;", removed=guard)
    helper = change("tests/helpers.js", "const ok = true;", removed=guard)
    default = {f.rule for f in auth.detect([bundle, helper], DetectorSettings())}
    claimed = auth.detect([bundle, helper], DetectorSettings(paths=["dist/**"]))
    assert default == set()
    assert {(f.file, f.rule) for f in claimed} == {
        ("dist/index.js", "auth.configured-path"),
        ("dist/index.js", "auth.guard-removed"),
    }
