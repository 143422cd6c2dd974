"""Django AlterField rated against the field's previous definition in earlier migrations.

The migrations here are ours, in the shapes `makemigrations` writes (and that
django.contrib's own history has: max_length raised, null allowed, unique added).
"""

from __future__ import annotations

import ast

import pytest

from app.detect.base import ChangedFile, FileStatus, Severity
from app.detect.migrations import MigrationsDetector, MigrationSettings
from app.detect.migrations.context import base_paths_wanted
from app.detect.migrations.readers.django_state import compare


def _field(source: str) -> ast.Call:
    node = ast.parse(source, mode="eval").body
    assert isinstance(node, ast.Call)
    return node


@pytest.mark.parametrize(
    ("old", "new", "rules"),
    [
        ("models.CharField(max_length=30)", "models.CharField(max_length=150)", ["widen-column"]),
        ("models.CharField(max_length=30)", "models.TextField()", ["widen-column"]),
        ("models.EmailField(max_length=75)", "models.EmailField(max_length=254)", ["widen-column"]),
        (
            "models.CharField(max_length=150)",
            "models.CharField(max_length=30)",
            ["change-column-type"],
        ),
        ("models.TextField()", "models.CharField(max_length=100)", ["change-column-type"]),
        ("models.IntegerField()", "models.BigIntegerField()", ["change-column-type"]),
        (
            "models.DecimalField(max_digits=8, decimal_places=2)",
            "models.DecimalField(max_digits=12, decimal_places=2)",
            ["widen-column"],
        ),
        ("models.CharField(max_length=30)", "models.CharField(max_length=30, help_text='x')", []),
        (
            "models.PositiveSmallIntegerField()",
            "models.PositiveSmallIntegerField(choices=[(1, 'a')])",
            [],
        ),
        (
            "models.DateTimeField()",
            "models.DateTimeField(null=True, blank=True)",
            ["drop-not-null"],
        ),
        ("models.DateTimeField(null=True)", "models.DateTimeField()", ["set-not-null"]),
        (
            "models.CharField(max_length=100)",
            "models.CharField(max_length=100, unique=True)",
            ["add-unique-constraint"],
        ),
        (
            "models.CharField(max_length=100, unique=True)",
            "models.CharField(max_length=100)",
            ["drop-constraint"],
        ),
        ("models.IntegerField()", "models.IntegerField(db_index=True)", ["blocking-index"]),
        (
            "models.ForeignKey('a.B', on_delete=CASCADE)",
            "models.ForeignKey('a.C', on_delete=CASCADE)",
            ["change-column-type"],
        ),
        (
            "models.ForeignKey('a.B', on_delete=CASCADE)",
            "models.ForeignKey('a.B', on_delete=PROTECT)",
            [],
        ),
        ("models.TextField()", "models.TextField(db_column='body_text')", ["rename"]),
        ("models.TextField(max_length=100)", "models.TextField(max_length=50)", []),
        ("models.ImageField()", "wagtail.images.models.WagtailImageField()", []),
        (
            "models.ForeignKey('taggit.Tag', on_delete=CASCADE)",
            "models.ForeignKey(to='taggit.tag', on_delete=CASCADE)",
            [],
        ),
        (
            "models.CharField(max_length=18)",
            "models.CharField(max_length=17)",
            ["change-column-type"],
        ),
    ],
)
def test_compare_says_what_the_database_sees(old: str, new: str, rules: list[str]) -> None:
    assert [change.rule for change in compare(_field(old), _field(new))] == rules


HEAD = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"


def _migration(deps: list[str], *operations: str) -> str:
    listed = ", ".join(f"('shop', '{d}')" for d in deps)
    body = "".join(f"        {op},\n" for op in operations)
    return f"{HEAD}    dependencies = [{listed}]\n    operations = [\n{body}    ]\n"


CREATE = "migrations.CreateModel(name='Customer', fields=[('id', models.AutoField(primary_key=True)), ('name', models.CharField(max_length=30))])"
BASE = {
    "shop/migrations/0001_initial.py": _migration([], CREATE),
    "shop/migrations/0002_customer_email.py": _migration(
        ["0001_initial"],
        "migrations.AddField(model_name='customer', name='email', field=models.EmailField(max_length=75))",
    ),
    "shop/migrations/0003_rename.py": _migration(
        ["0002_customer_email"],
        "migrations.RenameField(model_name='customer', old_name='name', new_name='full_name')",
    ),
}


WIDER_EMAIL = "migrations.AlterField(model_name='customer', name='email', field=models.EmailField(max_length=254))"


def _added(operation: str, base: dict[str, str] | None, app: str = "shop") -> ChangedFile:
    """Migration 0004 of `app`, one operation, added on top of `base`."""
    text = _migration(["0003_rename"], operation)
    return ChangedFile(
        path=f"{app}/migrations/0004_alter.py",
        status=FileStatus.ADDED,
        added=list(enumerate(text.split("\n"), start=1)),
        base_loader=base.get if base is not None else None,
    )


def _rate(new: str, base: dict[str, str] | None = BASE) -> list[tuple[str, Severity, str]]:
    found = MigrationsDetector().detect([_added(new, base)], MigrationSettings())
    return [(f.rule, f.severity, f.message) for f in found]


def test_a_wider_field_found_through_renames_and_earlier_migrations_is_info() -> None:
    found = _rate(
        "migrations.AlterField(model_name='customer', name='full_name', field=models.CharField(max_length=150))"
    )
    added, widened = found
    assert widened[:2] == ("migration.widen-column", Severity.INFO)
    assert added[:2] == ("migration.added", Severity.LOW)


def test_a_unique_field_is_an_added_constraint() -> None:
    found = _rate(
        "migrations.AlterField(model_name='customer', name='email', field=models.EmailField(max_length=75, unique=True))"
    )
    assert ("migration.add-unique-constraint", Severity.HIGH) in [(r, s) for r, s, _ in found]


def test_help_text_only_is_options_only() -> None:
    found = _rate(
        "migrations.AlterField(model_name='customer', name='email', field=models.EmailField(max_length=75, help_text='Where we write'))"
    )
    assert ("migration.options-only", Severity.INFO) in [(r, s) for r, s, _ in found]


def test_without_the_earlier_migrations_it_stays_conservative_and_says_why() -> None:
    new = WIDER_EMAIL
    [(rule, severity, message)] = [f for f in _rate(new, base={}) if f[0] != "migration.added"]
    assert (rule, severity) == ("migration.alter-field", Severity.MEDIUM)
    assert "previous definition was not found" in message
    # no base reader at all (a diff file): the same
    assert ("migration.alter-field", Severity.MEDIUM) in [(r, s) for r, s, _ in _rate(new, None)]


def test_the_app_label_comes_from_apps_py() -> None:
    relabelled = {
        "core/apps.py": "class CoreConfig(AppConfig):\n    name = 'core'\n    label = 'shop'\n",
        **{path.replace("shop/", "core/"): text for path, text in BASE.items()},
    }
    changed = _added(WIDER_EMAIL, relabelled, app="core")
    found = MigrationsDetector().detect([changed], MigrationSettings())
    assert "migration.widen-column" in [f.rule for f in found]
    without_label = {k: v for k, v in relabelled.items() if not k.endswith("apps.py")}
    changed.base_loader = without_label.get
    found = MigrationsDetector().detect([changed], MigrationSettings())
    assert "migration.alter-field" in [f.rule for f in found]  # "core" names no dependency


def test_a_field_removed_then_altered_is_not_taken_from_before_the_removal() -> None:
    base = {
        **BASE,
        "shop/migrations/0003_rename.py": _migration(
            ["0002_customer_email"], "migrations.RemoveField(model_name='customer', name='email')"
        ),
    }
    assert ("migration.alter-field", Severity.MEDIUM) in [
        (r, s) for r, s, _ in _rate(WIDER_EMAIL, base)
    ]


def test_the_app_asks_for_earlier_migrations_one_round_at_a_time() -> None:
    changed = _added(WIDER_EMAIL, None)
    known: dict[str, str | None] = {}
    rounds = []
    while paths := base_paths_wanted(changed, known):
        rounds.append(paths)
        known.update({path: BASE.get(path) for path in paths})
    assert rounds == [  # the app's label (apps.py) with the first migration back
        ["shop/apps.py", "shop/migrations/0003_rename.py"],
        ["shop/migrations/0002_customer_email.py"],
    ]
    unrelated = ChangedFile(path="shop/views.py", status=FileStatus.ADDED, added=[(1, "x = 1")])
    assert base_paths_wanted(unrelated, {}) == []


def test_operations_are_numbered_alike_by_the_reader_and_the_walk() -> None:
    """A starred element before the AlterField once shifted the walk's slice onto the
    AlterField itself: compared with itself, `unique=True` read as options-only."""
    new = (
        "*COMMON_OPERATIONS,\n        migrations.AlterField(model_name='customer', name='email', "
        "field=models.EmailField(max_length=75, unique=True))"
    )
    found = _rate(new)
    assert ("migration.add-unique-constraint", Severity.HIGH) in [(r, s) for r, s, _ in found]


HELP_TEXT = "migrations.AlterField(model_name='customer', name='email', field=models.EmailField(max_length=75, help_text='Where we write'))"
OPTIONS = "migrations.AlterModelOptions(name='customer', options={'ordering': ['email']})"


def _added_many(*operations: str) -> ChangedFile:
    text = _migration(["0003_rename"], *operations)
    return ChangedFile(
        path="shop/migrations/0004_alter.py",
        status=FileStatus.ADDED,
        added=list(enumerate(text.split("\n"), start=1)),
        base_loader=BASE.get,
    )


def test_a_new_migration_that_runs_no_sql_is_info_and_calls_no_dba() -> None:
    """A choice added or a help text reworded makes a Django migration that runs no SQL
    (postorius and hyperkitty shipped several): info. One operation the reader does not
    know, or one that runs SQL, and the migration is rated as before."""
    found = MigrationsDetector().detect([_added_many(HELP_TEXT, OPTIONS)], MigrationSettings())
    [added] = [f for f in found if f.rule == "migration.added"]
    assert added.severity == Severity.INFO
    assert "runs no SQL" in added.message
    for other in (
        WIDER_EMAIL,  # widen-column: info, but SQL runs
        "myapp.operations.CreateTrigger(name='audit')",  # not known: may run anything
        "migrations.RunPython(forwards, backwards)",
    ):
        found = MigrationsDetector().detect([_added_many(HELP_TEXT, other)], MigrationSettings())
        [added] = [f for f in found if f.rule == "migration.added"]
        assert added.severity >= Severity.LOW, other
