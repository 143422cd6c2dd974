from __future__ import annotations

import pytest

from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Kind, Severity
from app.detect.globs import GlobError, GlobSet, check_glob
from app.detect.migrations import MigrationSettings
from app.detect.registry import DETECTORS, run_detectors


def added(path: str, text: str = "", status: FileStatus = FileStatus.ADDED) -> ChangedFile:
    lines = list(enumerate(text.splitlines(), start=1))
    return ChangedFile(path=path, status=status, added=lines, additions=len(lines))


def rules_for(detector: str, *files: ChangedFile, **settings: object) -> list[str]:
    model = DETECTORS[detector].settings_model
    return [f.rule for f in DETECTORS[detector].detect(list(files), model(**settings))]


# --- globs ---------------------------------------------------------------------------


def test_globset_matches_globstar_braces_and_names_the_glob() -> None:
    globs = GlobSet(["db/**", "**/*.{sql,prisma}"])
    assert globs.match("db/x/y.rb")
    assert globs.match("schema.sql")
    assert globs.match("a/b.prisma")
    assert not globs.match("src/db.rb")
    assert globs.first_match("a/b.sql") == "**/*.{sql,prisma}"


def test_trailing_slash_means_everything_below() -> None:
    assert GlobSet(["infra/"]).match("infra/main.tf")


@pytest.mark.parametrize("glob", ["", "/db/**", "./db", "db\\migrate\\*.rb", "db/[abc", "{a,b"])
def test_bad_globs_are_rejected(glob: str) -> None:
    with pytest.raises(GlobError):
        check_glob(glob)


# --- migrations ----------------------------------------------------------------------

FRAMEWORK_CASES = [
    (
        "Django",
        "shop/migrations/0042_remove_order_note.py",
        "class Migration(migrations.Migration):\n    operations = []",
    ),
    (
        "Alembic",
        "migrations/versions/3f2a_add_index.py",
        "from alembic import op\nrevision = '3f2a'\ndown_revision = '1b1c'",
    ),
    (
        "Rails",
        "db/migrate/20261101120000_add_sku.rb",
        "class AddSku < ActiveRecord::Migration[7.1]\nend",
    ),
    (
        "Rails",
        "db/post_migrate/20261101120000_drop_x.rb",
        "class DropX < ActiveRecord::Migration[7.1]",
    ),
    ("Flyway", "src/main/resources/db/migration/V12__add_orders.sql", "CREATE TABLE orders();"),
    ("Flyway", "src/main/java/db/migration/V13__Backfill.java", "class V13__Backfill {}"),
    (
        "Liquibase",
        "src/main/resources/db/changelog/db.changelog-master.yaml",
        "databaseChangeLog:\n  - changeSet: {}",
    ),
    ("Prisma", "prisma/migrations/20261101_init/migration.sql", "CREATE TABLE a();"),
    ("Drizzle", "drizzle/0003_steady_hulk.sql", "ALTER TABLE a ADD b int;"),
    ("Knex", "migrations/20261101_users.js", "exports.up = function(knex) {}"),
    (
        "Sequelize",
        "migrations/20261101-create-user.js",
        "module.exports = { up: async (queryInterface) => {} }",
    ),
    (
        "TypeORM",
        "src/migrations/1730000000000-AddUser.ts",
        "export class AddUser implements MigrationInterface {}",
    ),
    (
        "MikroORM",
        "src/migrations/Migration20261101.ts",
        "export class M extends Migration { up() { this.addSql('x') } }",
    ),
    ("golang-migrate", "db/000012_add_index.up.sql", "CREATE INDEX i ON t(a);"),
    ("goose", "migrations/20261101_add.sql", "-- +goose Up\nALTER TABLE t ADD c int;"),
    ("dbmate", "db/migrations/20261101_x.sql", "-- migrate:up\nCREATE TABLE x();"),
    (
        "Ecto",
        "priv/repo/migrations/20261101_add_pageviews.exs",
        "defmodule M do\n  use Ecto.Migration\nend",
    ),
    (
        "Laravel",
        "database/migrations/2026_11_01_000000_create_flights_table.php",
        "return new class extends Migration {}",
    ),
    (
        "EF Core",
        "src/Data/Migrations/20261101_AddBlog.cs",
        "public partial class AddBlog : Migration {}",
    ),
    ("Diesel", "migrations/2026-11-01-000000_create_posts/up.sql", "CREATE TABLE posts();"),
    ("sqlx", "migrations/20261101000000_users.sql", "CREATE TABLE users();"),
    ("Atlas", "migrations/atlas.sum", "h1:abc="),
    ("Sqitch", "deploy/users.sql", "BEGIN; CREATE TABLE users(); COMMIT;"),
]


@pytest.mark.parametrize(("framework", "path", "text"), FRAMEWORK_CASES)
def test_each_framework_migration_is_found(framework: str, path: str, text: str) -> None:
    [finding] = [
        f
        for f in DETECTORS["migrations"].detect([added(path, text)], MigrationSettings())
        if f.rule == "migration.added"
    ]
    assert finding.extra["framework"] == framework
    assert finding.severity == Severity.MEDIUM
    assert finding.kind == Kind.MIGRATION


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("src/migrations/helpers.js", "export const sleep = () => {}"),  # js, no signature
        ("app/migrations/__init__.py", ""),
        ("src/Migrations/20261101_AddBlog.Designer.cs", "partial class AddBlog : Migration"),
        ("docs/versions/v2.py", "print('not alembic')"),
        ("src/models/user.py", "class User: pass"),
    ],
)
def test_lookalikes_are_not_migrations(path: str, text: str) -> None:
    assert rules_for("migrations", added(path, text)) == []


def test_editing_or_deleting_an_existing_migration_is_high() -> None:
    edited = added(
        "db/migrate/20250101_x.rb", "class X < ActiveRecord::Migration[7.1]", FileStatus.MODIFIED
    )
    removed = ChangedFile(
        path="db/migrate/20250102_y.rb",
        status=FileStatus.REMOVED,
        removed=[(1, "class Y < ActiveRecord::Migration[7.1]")],
    )
    findings = DETECTORS["migrations"].detect([edited, removed], MigrationSettings())
    by_rule = {f.rule: f for f in findings}
    assert by_rule["migration.edited"].severity == Severity.HIGH
    assert by_rule["migration.removed"].severity == Severity.HIGH


def test_schema_without_migration_and_migration_without_schema() -> None:
    assert rules_for("migrations", added("db/schema.rb", "", FileStatus.MODIFIED)) == [
        "migration.schema-changed",
        "migration.schema-without-migration",
    ]
    rules = rules_for("migrations", added("db/migrate/1_x.rb", "class X < ActiveRecord::Migration"))
    assert "migration.migration-without-schema" in rules
    both = rules_for("migrations", added("db/migrate/1_x.rb"), added("db/schema.rb"))
    assert sorted(both) == ["migration.added", "migration.schema-changed"]


def test_unreadable_file_under_an_ambiguous_glob_is_still_a_migration() -> None:
    huge = ChangedFile(
        path="migrations/20261101_big.js", status=FileStatus.ADDED, patch_missing=True
    )
    assert rules_for("migrations", huge) == ["migration.added"]


def test_configured_paths_and_paths_ignore() -> None:
    legacy = added("legacy/sql/patch_17.sql", "UPDATE t SET a = 1;")
    assert rules_for("migrations", legacy) == []
    assert rules_for("migrations", legacy, paths=["legacy/sql/**"]) == [
        "migration.added",
        "migration.delete-all-rows",
    ]
    django = added("vendor/x/migrations/0001_initial.py", "class Migration(migrations.Migration)")
    assert rules_for("migrations", django, paths_ignore=["vendor/**"]) == []


# --- dependencies, auth, secrets, infra ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "ecosystem", "rule"),
    [
        ("requirements/prod.txt", "pypi", "dependency.manifest-changed"),
        ("poetry.lock", "pypi", "dependency.lockfile-changed"),
        ("web/package-lock.json", "npm", "dependency.lockfile-changed"),
        ("go.mod", "golang", "dependency.manifest-changed"),
        ("Cargo.lock", "cargo", "dependency.lockfile-changed"),
        ("Gemfile.lock", "gem", "dependency.lockfile-changed"),
        ("gradle/libs.versions.toml", "maven", "dependency.manifest-changed"),
        ("src/App/App.csproj", "nuget", "dependency.manifest-changed"),
        ("mix.lock", "hex", "dependency.lockfile-changed"),
        ("Dockerfile", "docker", "dependency.manifest-changed"),
    ],
)
def test_dependency_files_whose_packages_cannot_be_read_are_unclassified(
    path: str, ecosystem: str, rule: str
) -> None:
    """No parser for the format, or the contents are not at hand (GitHub omitted the
    patch): reported by path with no `change`, which every `changes:` filter matches."""
    unread = ChangedFile(path=path, status=FileStatus.MODIFIED, patch_missing=True, additions=9)
    [finding] = DETECTORS["dependencies"].detect([unread], DetectorSettings())
    assert (finding.ecosystem, finding.rule, finding.change) == (ecosystem, rule, None)


def test_source_files_are_not_dependencies() -> None:
    assert rules_for("dependencies", added("src/package.py"), added("lib/gemfile_helper.rb")) == []


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
    ],
)
def test_docs_tests_and_lookalikes_are_not_auth(path: str) -> None:
    assert rules_for("auth", added(path)) == []


def test_secret_files_and_private_key_blocks() -> None:
    key_block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----"
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


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        (".github/workflows/ci.yml", "infra.ci"),
        (".gitlab-ci.yml", "infra.ci"),
        ("infra/main.tf", "infra.iac"),
        ("k8s/deployment.yaml", "infra.deploy"),
        ("fly.toml", "infra.deploy"),
        (".github/CODEOWNERS", "infra.governance"),
        (".github/release-roles.yml", "infra.governance"),
        ("Makefile", "infra.build"),
    ],
)
def test_infra_paths(path: str, rule: str) -> None:
    assert rules_for("infra", added(path)) == [rule]


def test_registry_reports_unreadable_diffs_and_honours_enabled() -> None:
    broken = ChangedFile(path="db/x.sql", status=FileStatus.MODIFIED, parse_error="bad hunk")
    findings = run_detectors(
        [broken, added("setup.cfg")], {"infra": DetectorSettings(enabled=False)}
    )
    assert sorted(f.rule for f in findings) == ["dependency.manifest-changed", "diff.unreadable"]


# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from wcmatch import glob as wcglob  # noqa: E402

from app.detect import migrations, pathrules  # noqa: E402
from app.detect.auth.detector import AUTH_RULES  # noqa: E402
from app.detect.dependencies.formats import FORMATS  # noqa: E402
from app.detect.infra.detector import INFRA_RULES  # noqa: E402
from app.detect.secrets.detector import SECRET_RULES  # noqa: E402

_ALL_GLOBS = sorted(
    {g for fw in migrations.FRAMEWORKS for g in fw.globs.patterns}
    | set(migrations.SCHEMA_FILES.patterns)
    | {g for fmt in FORMATS for g in fmt.globs.patterns}
    | {g for r in AUTH_RULES + SECRET_RULES + INFRA_RULES for g in r.globs.patterns}
    | set(pathrules.NOT_CODE.patterns)
)
_SEGMENTS = st.sampled_from(
    [
        "db",
        "migrate",
        "migrations",
        "versions",
        "auth",
        "Auth",
        "src",
        ".github",
        "workflows",
        "0001_init.py",
        "V1__x.sql",
        "package-lock.json",
        "Gemfile",
        "x.tf",
        "login.ts",
        "a",
        ".env",
        "id_rsa",
        "up.sql",
        "20261101_x.rb",
        "Dockerfile",
        "docs",
        "test_a.py",
        "k8s",
    ]
)


_FLAGS = wcglob.GLOBSTAR | wcglob.BRACE | wcglob.DOTGLOB
_ORACLES = {
    (glob, case): (
        GlobSet([glob], ignore_case=case),
        wcglob.compile(glob, flags=_FLAGS | (wcglob.IGNORECASE if case else 0)),
    )
    for glob in _ALL_GLOBS
    for case in (False, True)
}


@settings(max_examples=150, deadline=None)
@given(st.lists(_SEGMENTS, min_size=1, max_size=5), st.booleans())
def test_globset_agrees_with_wcmatch(segments: list[str], ignore_case: bool) -> None:
    path = "/".join(segments)
    for glob in _ALL_GLOBS:
        ours, oracle = _ORACLES[glob, ignore_case]
        assert ours.match(path) == oracle.match(path), (glob, path)


def test_a_failing_detector_becomes_a_high_finding_of_its_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(files: object, settings: object) -> list[object]:
        raise RuntimeError("unexpected input")

    monkeypatch.setattr(DETECTORS["migrations"], "detect", boom)
    findings = run_detectors([added("db/migrate/1_x.rb", "remove_column :a, :b")], {})
    [failed] = [f for f in findings if f.rule == "migrations.failed"]
    assert (failed.kind, failed.severity) == (Kind.MIGRATION, Severity.HIGH)
    assert "RuntimeError: unexpected input" in failed.message


def test_a_workflow_step_with_odd_inputs_does_not_crash() -> None:
    text = (
        "on: pull_request_target\njobs:\n  a:\n    steps:\n"
        "      - uses: actions/checkout@v4\n        with: oops\n"
    )
    assert all(
        not f.rule.endswith(".failed")
        for f in run_detectors([added(".github/workflows/x.yml", text)], {})
    )
