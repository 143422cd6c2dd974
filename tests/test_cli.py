from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from tests.conftest import GitRepo

CUSTOM = """\
version: 1
roles:
  data-guardian:
    reviewers: {teams: [data]}
    when: [{detector: migrations}]
"""
MIGRATION = "class AddSku < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture
def shop(repo: GitRepo) -> GitRepo:
    repo.commit({".github/release-roles.yml": CUSTOM, "README.md": "shop\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"db/migrate/20261101_add_sku.rb": MIGRATION})
    return repo


def test_check_from_a_git_range_uses_the_repos_own_config(shop: GitRepo) -> None:
    result = run(
        "check", "-C", str(shop.path), "--base", "main", "--head", "feature", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    [role] = [r for r in data["roles"] if r["required"]]
    assert role["name"] == "data-guardian"
    assert role["reasons"][0]["file"] == "db/migrate/20261101_add_sku.rb"
    assert role["reasons"][0]["kind"] == "migration"


def test_check_defaults_to_merge_base_and_working_tree(shop: GitRepo) -> None:
    (shop.path / "db/migrate/20261102_untracked.rb").write_text(MIGRATION)
    result = run("check", "-C", str(shop.path), "--base", "main", "--format", "json")
    reasons = json.loads(result.output)["roles"][0]["reasons"]
    files = {r["file"] for r in reasons if r["file"]}
    assert files == {"db/migrate/20261101_add_sku.rb", "db/migrate/20261102_untracked.rb"}


def test_check_from_a_diff_file_and_stdin(shop: GitRepo, tmp_path: Path) -> None:
    diff = shop.diff("main", "feature")
    patch = tmp_path / "change.diff"
    patch.write_text(diff)
    config = shop.path / ".github/release-roles.yml"
    for args, stdin in (([str(patch)], None), (["-"], diff)):
        result = run(
            "check", "--diff", *args, "--config", str(config), "--format", "json", input=stdin
        )
        assert result.exit_code == 0, result.output
        [role] = [r for r in json.loads(result.output)["roles"] if r["required"]]
        assert role["name"] == "data-guardian"
        assert role["reasons"][0]["file"] == "db/migrate/20261101_add_sku.rb"


def test_fail_on_required_exits_1(shop: GitRepo) -> None:
    result = run("check", "-C", str(shop.path), "--base", "main", "--fail-on-required")
    assert result.exit_code == 1
    assert "Data Guardian — required: needs 1 approval from team data" in result.output


def test_nothing_required_exits_0_even_with_fail_on_required(repo: GitRepo) -> None:
    repo.commit({"README.md": "a\n"})
    repo.commit({"README.md": "b\n"})
    result = run("check", "-C", str(repo.path), "--base", "HEAD~1", "--fail-on-required")
    assert result.exit_code == 0
    assert "No release role is required" in result.output
    assert "using the built-in roles" in result.output


def test_invalid_config_in_the_change_exits_2_with_its_line(shop: GitRepo) -> None:
    shop.commit({".github/release-roles.yml": CUSTOM + "options: {nope: true}\n"})
    result = run("check", "-C", str(shop.path), "--base", "main")
    assert result.exit_code == 2
    assert ".github/release-roles.yml (this change):6:11: unknown key 'nope'" in result.output


def test_validate_unknown_key_exits_2_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "rr.yml"
    bad.write_text(
        "version: 1\nroles:\n  dba:\n    when: [{detector: migrations}]\n"
        "    reviwers: {teams: [dba]}\n"
    )
    result = run("validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:5:5: unknown key 'reviwers' in roles.dba" in result.output
    assert "did you mean 'reviewers'?" in result.output
    good = tmp_path / "ok.yml"
    good.write_text(CUSTOM)
    assert run("validate", str(good)).exit_code == 0


def test_validate_a_config_yaml_cannot_read_exits_2_with_its_position(tmp_path: Path) -> None:
    bell = tmp_path / "rr.yml"
    bell.write_text("version: 1\nroles:\x07\n")
    result = run("validate", str(bell))
    assert result.exit_code == 2
    assert f"{bell}:2:7: YAML: character U+0007 is not allowed" in result.output
    assert "Traceback" not in result.output


def test_validate_resolves_local_extends(tmp_path: Path) -> None:
    (tmp_path / "org.yml").write_text("version: 1\nroles:\n  sec: {when: [{detector: auth}]}\n")
    (tmp_path / "repo.yml").write_text("version: 1\nextends: org.yml\n")
    result = run("validate", str(tmp_path / "repo.yml"))
    assert result.exit_code == 0
    assert "roles: sec" in result.output
    (tmp_path / "repo.yml").write_text("version: 1\nextends: acme/.github\n")
    result = run("validate", str(tmp_path / "repo.yml"))
    assert result.exit_code == 2
    assert "--extends-path" in result.output
    result = run(
        "validate", str(tmp_path / "repo.yml"), "--extends-path", str(tmp_path / "org.yml")
    )
    assert result.exit_code == 0


def test_schema_prints_a_json_schema() -> None:
    result = run("schema")
    schema = json.loads(result.output)
    assert result.exit_code == 0
    assert schema["title"] == "Release Roles configuration"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--base", "nope-ref"], "unknown revision 'nope-ref'"),
        (["check", "--diff", "/does/not/exist"], "cannot read diff"),
        (["check", "--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2(shop: GitRepo, args: list[str], message: str) -> None:
    result = run(*args, "-C", str(shop.path))
    assert result.exit_code == 2
    assert message in result.output


def test_not_a_repository_exits_2(tmp_path: Path) -> None:
    result = run("check", "-C", str(tmp_path))
    assert result.exit_code == 2
    assert "not inside a git repository" in result.output


def test_text_that_is_not_a_diff_exits_2(tmp_path: Path) -> None:
    result = run("check", "--diff", "-", input="just some words\n")
    assert result.exit_code == 2
    assert "expected 'diff --git'" in result.output


ROLLBACK_PLAN = """\
version: 1
roles:
  rollback-plan:
    reviewers: {teams: [dba]}
    when: [{detector: migrations, rules: [migration.irreversible], min_severity: medium}]
    checklist: ["Rollback plan written and tested"]
"""


@pytest.mark.parametrize(
    ("change", "required"),
    [
        ("remove_column :users, :legacy_email", True),  # destroys data, no way back
        ("remove_column :users, :legacy_email, :string", False),  # Rails can reverse it
        ("change_column_default :users, :plan, 'free'", False),  # irreversible, destroys nothing
    ],
)
def test_a_role_can_ask_for_a_rollback_plan_exactly_when_there_is_none(
    repo: GitRepo, change: str, required: bool
) -> None:
    repo.commit({".github/release-roles.yml": ROLLBACK_PLAN, "README.md": "shop\n"})
    repo.git("checkout", "-q", "-b", "feature")
    migration = MIGRATION.replace("  def change\n", f"  def change\n    {change}\n")
    repo.commit({"db/migrate/20261101_users.rb": migration})
    result = run("check", "-C", str(repo.path), "--base", "main", "--format", "json")
    [role] = json.loads(result.output)["roles"]
    assert role["required"] is required, result.output
    if required:
        assert role["reasons"][0]["rule"] == "migration.irreversible"


DJANGO_ROLE = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba]}
    when: [{detector: migrations, min_severity: medium}]
"""
DJANGO_0001 = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
    "    dependencies = []\n    operations = [\n        migrations.CreateModel(name='User', "
    "fields=[('id', models.AutoField(primary_key=True)), "
    "('username', models.CharField(max_length=30, unique=True))]),\n    ]\n"
)


@pytest.mark.parametrize(
    ("field", "required"),
    [
        ("models.CharField(max_length=150, unique=True, help_text='Required.')", False),
        ("models.CharField(max_length=30)", True),  # unique dropped: medium
        ("models.IntegerField(unique=True)", True),  # a type change: high
    ],
)
def test_check_rates_a_django_alter_field_against_the_base_commits_migrations(
    repo: GitRepo, field: str, required: bool
) -> None:
    repo.commit(
        {
            ".github/release-roles.yml": DJANGO_ROLE,
            "accounts/migrations/0001_initial.py": DJANGO_0001,
        }
    )
    repo.git("checkout", "-q", "-b", "feature")
    alter = DJANGO_0001.replace(
        "dependencies = []", "dependencies = [('accounts', '0001_initial')]"
    )
    start = alter.index("migrations.CreateModel")
    alter = alter[:start] + (
        f"migrations.AlterField(model_name='user', name='username', field={field}),\n    ]\n"
    )
    repo.commit({"accounts/migrations/0002_alter_user_username.py": alter})
    result = run("check", "-C", str(repo.path), "--base", "main", "--format", "json")
    [role] = json.loads(result.output)["roles"]
    assert role["required"] is required, result.output


def test_the_cli_spells_the_config_path_as_the_models_do() -> None:
    """cli.py keeps its own copy so that --help and --version import no model."""
    from app import cli as cli_module
    from app.policy.config import CONFIG_PATH

    assert cli_module.CONFIG_PATH == CONFIG_PATH


def test_version_imports_no_detector() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from app.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--version'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('app.detect', 'app.policy', 'pydantic')\n"
        "print([m for m in sys.modules if m.startswith(heavy)])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_check_of_ordinary_code_imports_no_reader_it_does_not_use(tmp_path: Path) -> None:
    """Migration readers and SQL, TOML, setup.cfg and requirement grammars load when
    such a file is read."""
    import subprocess
    import sys

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=tmp_path)

    git("init", "-q", "-b", "main")
    (tmp_path / "app.py").write_text("def handler(event):\n    return event\n")
    git("add", "-A")
    git("commit", "-qm", "base")
    (tmp_path / "app.py").write_text("def handler(event):\n    return {'ok': event}\n")
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from app.cli import cli\n"
        "result = CliRunner().invoke(cli, ['check'])\n"
        "assert result.exit_code == 0, result.output\n"
        "lazy = ('sqlglot', 'packaging.utils', 'packaging.requirements', 'tomllib',\n"
        "        'configparser', 'app.detect.migrations.readers', 'app.detect.migrations.sql')\n"
        "print([m for m in sys.modules if m.startswith(lazy)])\n"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_delivery_prints_a_recorded_body_as_github_sent_it(tmp_path: Path) -> None:
    """`release-roles delivery ID`: the journal keeps bodies packed; an operator reads one
    back as it came (stdout), what it was on stderr; an unknown id exits 1."""
    import asyncio

    from app.jobs.store import open_journal
    from tests.harness import free_port, serve_env

    url = f"sqlite:///{tmp_path / 'journal.db'}"
    body = b'{"action": "opened", "number": 7}'

    async def record() -> None:
        journal = open_journal(url)
        await journal.open()
        await journal.accept("d-7", "pull_request", "opened", body, [])
        await journal.close()

    asyncio.run(record())
    runner = CliRunner()
    env = serve_env(free_port(), url)
    found = runner.invoke(cli, ["delivery", "d-7"], env=env)
    assert found.exit_code == 0, found.output
    assert found.stdout_bytes == body + b"\n"
    assert "pull_request opened received" in found.stderr
    missing = runner.invoke(cli, ["delivery", "d-8"], env=env)
    assert missing.exit_code == 1
    assert "no delivery d-8" in missing.stderr
