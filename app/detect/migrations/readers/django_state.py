"""A Django AlterField rated by what it changes, from the field's previous definition.

The new definition is in the migration; the old one is in the app's earlier
migrations, which name each other in `dependencies`. The chain is walked backwards
through a reader of the base commit (the CLI reads git, the App what it fetched for
this), never importing the project: the last AlterField, AddField or CreateModel of
that model's field is its previous state (RenameField and RenameModel followed,
RemoveField ends it). Then only what the database sees is compared — the column's
type and length, NULL, unique, index, column name — so a help-text or choices change
is `options-only`, a longer CharField `widen-column`, and NULL → NOT NULL `set-not-null`.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from app.detect.migrations.readers.pyast import (
    arg,
    call_name,
    constant,
    kwarg,
    parse_quietly,
    string,
)
from app.detect.migrations.types import ColumnType, in_place

Reader = Callable[[str], str | None]
MAX_STEPS = 60  # migrations read back per field, at most

# Django field classes by the column Postgres gives them (and varchar default lengths).
_COLUMN = {
    **dict.fromkeys(
        ("CharField", "EmailField", "SlugField", "URLField", "FilePathField", "FileField",
         "ImageField", "GenericIPAddressField"),
        "varchar",
    ),
    "TextField": "text",
    **dict.fromkeys(("IntegerField", "PositiveIntegerField", "AutoField"), "integer"),
    **dict.fromkeys(
        ("SmallIntegerField", "PositiveSmallIntegerField", "SmallAutoField"), "smallint"
    ),
    **dict.fromkeys(("BigIntegerField", "PositiveBigIntegerField", "BigAutoField"), "bigint"),
    "DecimalField": "numeric",
}  # fmt: skip
_DEFAULT_LENGTH = {
    "SlugField": 50, "EmailField": 254, "URLField": 200, "FilePathField": 100,
    "FileField": 100, "ImageField": 100, "GenericIPAddressField": 39,
}  # fmt: skip
_RELATIONS = {"ForeignKey", "OneToOneField", "ParentalKey"}


@dataclass(frozen=True, slots=True)
class Alteration:
    """One AlterField of the migration being read."""

    model: str
    name: str
    line: int
    field: ast.Call
    index: int  # its place in `operations`: earlier operations of the file come first


@dataclass(frozen=True, slots=True)
class Change:
    rule: str
    note: str


def previous(
    alteration: Alteration, module: ast.Module, folder: str, read: Reader
) -> ast.Call | None:
    """The field's definition before this migration, or None when it cannot be found."""
    model, name = alteration.model.lower(), alteration.name
    earlier = operations(module)[: alteration.index]  # the file's own, first
    label = _label(folder, read)
    queue: list[str] = []
    seen: set[str] = set()
    following = module
    for _ in range(MAX_STEPS):
        result = _search(earlier, model, name)
        if isinstance(result, _Found):
            return result.field
        if isinstance(result, _Gone):
            return None
        if isinstance(result, _Renamed):
            model, name = result.model, result.name
        queue.extend(_dependencies(following, folder, label))
        tree = None
        while queue and tree is None:
            path = queue.pop(0)
            if path not in seen:
                seen.add(path)
                text = read(path)
                tree = _parsed(text) if text is not None else None
        if tree is None:
            return None
        following, earlier = tree, operations(tree)
    return None


def wanted(
    alteration: Alteration, module: ast.Module, folder: str, known: Mapping[str, str | None]
) -> list[str]:
    """The files the walk would read that `known` does not hold yet (a path held as None
    was looked for and is not there): the App fetches these and asks again."""
    missing: list[str] = []

    def reader(path: str) -> str | None:
        if path not in known and path not in missing:
            missing.append(path)
        return known.get(path)

    previous(alteration, module, folder, reader)
    return missing


def compare(old: ast.Call, new: ast.Call) -> list[Change]:
    """What an AlterField from `old` to `new` does to the column (empty: nothing)."""
    before, after = _shape(old), _shape(new)
    changes = []
    if before.column != after.column:
        why = in_place(before.column, after.column)
        changes.append(
            Change("widen-column", why) if why else Change("change-column-type", _from_to(old, new))
        )
    if before.null != after.null:
        changes.append(Change("drop-not-null" if after.null else "set-not-null", "null"))
    if before.unique != after.unique:
        rule = "add-unique-constraint" if after.unique else "drop-constraint"
        changes.append(Change(rule, "unique"))
    elif before.index != after.index and not after.unique:
        changes.append(Change("blocking-index" if after.index else "drop-index", "db_index"))
    if before.db_column != after.db_column:
        changes.append(Change("rename", "db_column"))
    return changes


@dataclass(frozen=True, slots=True)
class _Shape:
    column: ColumnType
    null: bool
    unique: bool
    index: bool
    db_column: str | None


def _shape(field: ast.Call) -> _Shape:
    kind = call_name(field.func)
    length = constant(kwarg(field, "max_length"))
    if kind == "DecimalField":
        digits, places = (
            constant(kwarg(field, "max_digits")),
            constant(kwarg(field, "decimal_places")),
        )
        column = ColumnType("numeric", _int(digits), _int(places))
    elif kind in _RELATIONS:
        target = arg(field, 0, "to")
        name = (constant(target) if isinstance(constant(target), str) else None) or (
            ast.unparse(target) if target else "?"
        )
        column = ColumnType(f"reference to {str(name).lower()}")  # "taggit.Tag" = "taggit.tag"
    else:
        base = _known_base(kind)
        name = _COLUMN.get(base, base.lower())
        # a TextField's max_length is Python's business: the column has no limit
        limit = _int(length) or _DEFAULT_LENGTH.get(base) if name == "varchar" else None
        column = ColumnType(name, limit)
    primary = constant(kwarg(field, "primary_key")) is True
    unique = primary or constant(kwarg(field, "unique")) is True or kind == "OneToOneField"
    index_default = kind in _RELATIONS or kind == "SlugField"
    index = kwarg(field, "db_index")
    return _Shape(
        column,
        constant(kwarg(field, "null")) is True,
        unique,
        index_default if index is None else constant(index) is True,
        string(kwarg(field, "db_column")),
    )


def _known_base(kind: str) -> str:
    """A project's own subclass by the Django field it is named after (WagtailImageField
    is an ImageField: the same column)."""
    if kind in _COLUMN or kind in _RELATIONS:
        return kind
    return max((known for known in _COLUMN if kind.endswith(known)), key=len, default=kind)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _from_to(old: ast.Call, new: ast.Call) -> str:
    return f"{call_name(old.func)} to {call_name(new.func)}"


# --- walking the migrations -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    field: ast.Call


@dataclass(frozen=True, slots=True)
class _Gone:
    pass


@dataclass(frozen=True, slots=True)
class _Renamed:
    model: str
    name: str


def _search(
    elements: tuple[ast.expr, ...], model: str, name: str
) -> _Found | _Gone | _Renamed | None:
    """The field's latest state in these operations, newest first."""
    for call in reversed(elements):
        result = _state_in(call, model, name) if isinstance(call, ast.Call) else None
        if result is not None:
            return result
    return None


def _state_in(call: ast.Call, model: str, name: str) -> _Found | _Gone | _Renamed | None:
    op = call_name(call.func)
    on = (string(arg(call, 0, "model_name")) or string(arg(call, 0, "name")) or "").lower()
    match op:
        case "AlterField" | "AddField" if on == model and string(arg(call, 1, "name")) == name:
            field = arg(call, 2, "field")
            return _Found(field) if isinstance(field, ast.Call) else _Gone()
        case "CreateModel" if on == model:
            return _field_in(arg(call, 1, "fields"), name)
        case "RemoveField" if on == model and string(arg(call, 1, "name")) == name:
            return _Gone()
        case "DeleteModel" if on == model:
            return _Gone()
        case "RenameField" if on == model and string(arg(call, 2, "new_name")) == name:
            return _Renamed(model, string(arg(call, 1, "old_name")) or name)
        case "RenameModel" if (string(arg(call, 1, "new_name")) or "").lower() == model:
            return _Renamed((string(arg(call, 0, "old_name")) or model).lower(), name)
    return None


def _field_in(fields: ast.expr | None, name: str) -> _Found | _Gone:
    if isinstance(fields, ast.List | ast.Tuple):
        for item in fields.elts:
            if (
                isinstance(item, ast.Tuple)
                and len(item.elts) == 2
                and constant(item.elts[0]) == name
                and isinstance(item.elts[1], ast.Call)
            ):
                return _Found(item.elts[1])
    return _Gone()  # created without it


def operations(tree: ast.Module) -> tuple[ast.expr, ...]:
    """Every element of a migration's `operations` lists, in order (a second, conditional
    assignment included): the reader and the walk number operations alike."""
    return tuple(
        element
        for node in assignments(tree, "operations")
        if isinstance(node, ast.List | ast.Tuple)
        for element in node.elts
    )


def _dependencies(tree: ast.Module, folder: str, label: str) -> list[str]:
    """Paths of the migrations of app `label` (this one's) that this one depends on."""
    paths = []
    for node in assignments(tree, "dependencies"):
        if not isinstance(node, ast.List | ast.Tuple):
            continue
        for dep in node.elts:
            if isinstance(dep, ast.Tuple) and len(dep.elts) == 2:
                app, name = constant(dep.elts[0]), constant(dep.elts[1])
                if isinstance(name, str) and app == label:
                    paths.append(f"{folder}/{name}.py")
    return paths


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> ast.Module | None:
    """Earlier migrations are walked once per AlterField: each is parsed once."""
    return parse_quietly(text)


def _label(folder: str, read: Reader) -> str:
    """The app's label, as Django has it: its AppConfig's `label` in apps.py (wagtail's
    app in wagtail/ is "wagtailcore"), else the last part of its module's name."""
    app_dir = folder.rpartition("/")[0]
    text = read(f"{app_dir}/apps.py" if app_dir else "apps.py")
    tree = _parsed(text) if text is not None else None
    if tree is not None:
        for value in assignments(tree, "label"):
            if isinstance(label := constant(value), str):
                return label
    return app_dir.rpartition("/")[2]


def assignments(tree: ast.Module, target: str) -> tuple[ast.expr, ...]:
    """The values assigned to the name `target` anywhere in the module, in walk order."""
    return _assigned(tree).get(target, ())


@functools.lru_cache(maxsize=256)
def _assigned(tree: ast.Module) -> dict[str, tuple[ast.expr, ...]]:
    """Every `name = value` of a module, found in one walk: the walk asks each earlier
    migration for its operations and dependencies at every step, for every AlterField."""
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            found.setdefault(node.targets[0].id, []).append(node.value)
    return {name: tuple(values) for name, values in found.items()}
