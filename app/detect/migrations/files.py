"""Which files are migrations: framework globs confirmed by content signatures.

This is the path-level layer: it finds migration and schema files for the
common frameworks, tells a new migration from an edit to one that already
existed, and notices a schema dump changed without a migration (or the
reverse). Rating each operation inside a migration is detector.py's job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from app.detect.base import ChangedFile, DetectorSettings, FileStatus, Finding, Kind, Severity
from app.detect.globs import GlobSet, compiled


class MigrationSettings(DetectorSettings):
    dialect: Literal["postgres", "mysql", "sqlite", "generic"] = "postgres"
    large_tables: list[str] = Field(
        default_factory=list,
        description="Tables big enough that a lock on them is an outage: operations on "
        "them are rated one level higher (medium -> high, high -> critical).",
    )


@dataclass(frozen=True, slots=True)
class Framework:
    name: str
    globs: GlobSet
    # Confirms a glob hit where the glob alone is ambiguous (migrations/*.js
    # could be anything); None when the path is proof enough.
    signature: re.Pattern[str] | None = None


def _fw(name: str, globs: Sequence[str], signature: str | None = None) -> Framework:
    return Framework(
        name, compiled(tuple(globs)), re.compile(signature, re.MULTILINE) if signature else None
    )


# Order matters: the first framework whose glob and signature match names the file.
FRAMEWORKS: tuple[Framework, ...] = (
    _fw("Django", ["**/migrations/[0-9][0-9][0-9][0-9]_*.py"]),
    _fw(
        "Alembic",
        ["**/alembic/versions/*.py", "**/migrations/versions/*.py", "**/versions/*.py"],
        r"from alembic import|^down_revision\s*[:=]|alembic\.op",
    ),
    _fw("Rails", ["db/migrate/*.rb", "db/*_migrate/*.rb", "**/db/migrate/*.rb", "db/data/*.rb"]),
    _fw(
        "Flyway",
        [
            "**/db/migration/**/[VUR]*__*.sql",
            "**/db/migration/**/B*__*.sql",
            "**/db/migration/**/V*__*.{java,kt}",
            "**/V[0-9]*__*.sql",
        ],
    ),
    _fw(
        "Liquibase",
        ["**/db.changelog*.{xml,yaml,yml,json,sql}", "**/changelog/**/*.{xml,yaml,yml,json,sql}"],
        r"databaseChangeLog|--\s*liquibase formatted sql|<changeSet",
    ),
    _fw("Prisma", ["**/prisma/migrations/*/migration.sql"]),
    _fw("Drizzle", ["**/drizzle/[0-9][0-9][0-9][0-9]_*.sql", "**/drizzle/*/migration.sql"]),
    _fw("Diesel", ["**/migrations/*/up.sql", "**/migrations/*/down.sql"]),
    _fw("golang-migrate", ["**/*.up.sql", "**/*.down.sql"]),
    _fw("goose", ["**/migrations/*.{sql,go}"], r"--\s*\+goose (Up|Down)|goose\.AddMigration"),
    _fw("dbmate", ["**/db/migrations/*.sql"], r"--\s*migrate:(up|down)"),
    _fw("sql-migrate", ["**/migrations/*.sql"], r"--\s*\+migrate (Up|Down)"),
    _fw("Ecto", ["**/priv/*/migrations/*.exs"]),
    _fw("Laravel", ["database/migrations/*.php", "**/database/migrations/*.php"]),
    _fw(
        "Doctrine",
        ["**/migrations/Version*.php", "**/Migrations/Version*.php"],
        r"AbstractMigration|addSql\(",
    ),
    _fw(
        "EF Core",
        ["**/Migrations/*.cs"],
        r":\s*Migration\b|migrationBuilder\.",
    ),
    _fw("MikroORM", ["**/migrations/Migration[0-9]*.{ts,js}"], r"extends Migration|addSql\("),
    _fw(
        "TypeORM",
        ["**/migrations/*.{ts,js}", "**/migration/*.{ts,js}"],
        r"implements MigrationInterface|queryRunner\.",
    ),
    _fw("node-pg-migrate", ["**/migrations/*.{js,ts}"], r"\(pgm\)|pgm\."),
    _fw(
        "Knex",
        ["**/migrations/*.{js,ts,cjs,mjs}"],
        r"exports\.up\s*=|function up\s*\(\s*knex|knex\.schema",
    ),
    _fw(
        "Sequelize",
        ["**/migrations/*.{js,ts,cjs}"],
        r"queryInterface\.|up:\s*async\s*\(\s*queryInterface",
    ),
    _fw("Supabase", ["supabase/migrations/*.sql"]),
    _fw("sqlx", ["**/migrations/[0-9]*_*.sql"]),
    _fw("Atlas", ["**/migrations/*.sql", "**/atlas.sum"], r"^h1:|--\s*atlas:|CREATE|ALTER|DROP"),
    _fw("Sqitch", ["deploy/*.sql", "revert/*.sql", "**/sqitch/deploy/*.sql"]),
    _fw("Hasura", ["**/migrations/*/*/up.sql", "**/migrations/*/up.sql"]),
    _fw("Play evolutions", ["conf/evolutions/*/[0-9]*.sql"]),
    _fw(
        "SQL",
        ["**/{migrations,migrate,sql/migrations,schema_migrations}/**/*.sql"],
    ),
)

# Schema dumps and models that move together with migrations.
SCHEMA_FILES = compiled(
    (
        "**/db/schema.rb",
        "**/db/*_schema.rb",
        "**/db/structure.sql",
        "**/db/*_structure.sql",
        "**/schema.prisma",
        "**/prisma/schema/*.prisma",
        "**/Migrations/*ModelSnapshot.cs",
        "**/drizzle/meta/*.json",
        "**/priv/repo/structure.sql",
        "**/database/schema/*-schema.sql",
        "**/src/schema.rs",
    )
)
# Frameworks whose migrations regenerate a schema file, so one without the other is a smell.
_PAIRED = {"Rails", "Prisma", "EF Core", "Drizzle"}
_EXCLUDED = compiled(("**/__init__.py", "**/*.Designer.cs", "**/env.py", "**/script.py.mako"))


def ambiguous(changed: ChangedFile) -> bool:
    """A path that only a look inside can confirm as a migration (migrations/*.js)."""
    return not _EXCLUDED.match(changed.path) and any(
        f.signature is not None and f.globs.match(changed.path) for f in FRAMEWORKS
    )


_ANY_FRAMEWORK = compiled(tuple(g for f in FRAMEWORKS for g in f.globs.patterns))


def in_migrations(path: str) -> bool:
    """Whether `path` lies where some framework keeps its migrations (no look inside)."""
    return not _EXCLUDED.match(path) and _ANY_FRAMEWORK.first_match(path) is not None


def identify(changed: ChangedFile, extra: GlobSet) -> str | None:
    """The framework whose migration `changed` is, or None if it is not one."""
    if _EXCLUDED.match(changed.path):
        return None
    if extra.match(changed.path):
        return "configured"
    if _ANY_FRAMEWORK.first_match(changed.path) is None:
        return None  # one pass over every framework's globs: most paths are no migration
    for framework in FRAMEWORKS:
        if not framework.globs.match(changed.path):
            continue
        if framework.signature is None or _has_signature(changed, framework.signature):
            return framework.name
    return None


def _has_signature(changed: ChangedFile, signature: re.Pattern[str]) -> bool:
    text = changed.head_text() if changed.status != FileStatus.REMOVED else changed.base_text()
    if text is None:
        if not changed.lines_known:
            return True  # cannot look inside: assume it is one, a DBA glance is cheap
        lines = changed.added or changed.removed
        text = "\n".join(line for _, line in lines)
    return signature.search(text) is not None


def label(framework: str) -> str:
    """How a report names a migration of this framework: "Rails migration"."""
    return "migration" if framework == "configured" else f"{framework} migration"


def migration_finding(changed: ChangedFile, framework: str) -> Finding:
    named = label(framework)
    if changed.status == FileStatus.ADDED:
        severity, rule, message = (
            Severity.MEDIUM,
            "migration.added",
            f"new {named}: a schema change the database team should see before it runs",
        )
    elif changed.status == FileStatus.REMOVED:
        severity, rule, message = (
            Severity.HIGH,
            "migration.removed",
            f"{named} deleted: databases that already ran it no longer match the code",
        )
    else:
        severity, rule, message = (
            Severity.HIGH,
            "migration.edited",
            f"existing {named} changed: databases that already ran it will not run it again, "
            "so environments drift; add a new migration instead",
        )
    if not changed.lines_known:
        message += " (its content could not be read, so its operations are not rated)"
    return Finding.for_file(
        Kind.MIGRATION, changed.path, severity, rule, message, extra={"framework": framework}
    )


def schema_finding(changed: ChangedFile) -> Finding:
    return Finding.for_file(
        Kind.MIGRATION,
        changed.path,
        Severity.LOW,
        "migration.schema-changed",
        "schema file changed",
    )


def pairing_findings(
    frameworks: set[str], schema_files: list[ChangedFile], files: Sequence[ChangedFile]
) -> list[Finding]:
    if schema_files and not frameworks:
        return [
            Finding.for_file(
                Kind.MIGRATION,
                changed.path,
                Severity.MEDIUM,
                "migration.schema-without-migration",
                "schema file changed but no migration was added: a migration may be missing",
            )
            for changed in schema_files
        ]
    paired = frameworks & _PAIRED
    if paired and not schema_files:
        names = ", ".join(sorted(paired))
        return [
            Finding.for_change(
                Kind.MIGRATION,
                Severity.LOW,
                "migration.migration-without-schema",
                f"{names} migration changed but the schema file was not regenerated",
            )
        ]
    return []


def head_text(changed: ChangedFile) -> str | None:
    """The migration as it is after the change, or None if it cannot be had."""
    text = changed.head_text()
    if text is not None:
        return text
    if changed.status == FileStatus.ADDED and changed.lines_known:
        # a new file's added lines are the whole file, numbered from 1
        return "\n".join(line for _, line in changed.added)
    return None
