"""Django migrations: the `operations` list, read with `ast`. `RunSQL`'s SQL goes on
to the SQL analysers; `reverse_sql` is a rollback path and is not rated.
"""

from __future__ import annotations

import ast

from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.readers.django_state import (
    Alteration,
    Reader,
    assignments,
    compare,
    operations,
    previous,
)
from app.detect.migrations.readers.pyast import (
    arg,
    call_name,
    constant,
    is_true,
    kwarg,
    parse,
    sql_strings,
    string,
)


def django(text: str, read: Reader | None = None, folder: str = "") -> Analysis:
    """A Django migration's operations; `read` gives the base commit's files, so an
    AlterField is rated by what it changes from the field's previous definition."""
    analysis = Analysis()
    tree = parse(text, analysis)
    if tree is None:
        return analysis
    atomic = constant(next(reversed(assignments(tree, "atomic")), None)) is not False
    elements = operations(tree)
    listed = any(isinstance(v, ast.List | ast.Tuple) for v in assignments(tree, "operations"))
    analysis.transactional = atomic
    analysis.empty = listed and not elements
    python_only = listed and bool(elements)
    for index, operation in enumerate(elements):
        if not isinstance(operation, ast.Call):
            python_only = False
            continue
        before = len(analysis.ops)
        altered = _alteration(operation, index)
        if altered is not None and read is not None:
            _rate_alteration(altered, tree, folder, read, analysis)
        else:
            _django_op(operation, analysis, atomic)
        rated = [op.rule for op in analysis.ops[before:]]
        if not (rated == ["options-only"] or (not rated and call_name(operation.func) in _NO_SQL)):
            python_only = False
    analysis.python_only = python_only
    return analysis


# Operations Django's schema editor runs no SQL for (they change only the model state).
_NO_SQL = {"AlterModelOptions", "AlterModelManagers"}


def alterations(tree: ast.Module) -> list[Alteration]:
    """The AlterFields of a migration's `operations`, in order."""
    return [
        altered
        for index, op in enumerate(operations(tree))
        if isinstance(op, ast.Call) and (altered := _alteration(op, index)) is not None
    ]


def _alteration(call: ast.Call, index: int) -> Alteration | None:
    if call_name(call.func) != "AlterField":
        return None
    model, name = string(arg(call, 0, "model_name")), string(arg(call, 1, "name"))
    field = arg(call, 2, "field")
    if model is None or name is None or not isinstance(field, ast.Call):
        return None
    return Alteration(model, name, call.lineno, field, index)


def _rate_alteration(
    altered: Alteration, tree: ast.Module, folder: str, read: Reader, analysis: Analysis
) -> None:
    what = f"AlterField({altered.model}.{altered.name})"
    old = previous(altered, tree, folder, read)
    if old is None:
        note = "its previous definition was not found in the app's earlier migrations"
        analysis.add("alter-field", altered.line, what, altered.model, note)
        return
    changes = compare(old, altered.field)
    if not changes:
        note = "the column stays as it was: help text, choices, validators or defaults"
        analysis.add("options-only", altered.line, what, altered.model, note)
    for change in changes:
        analysis.add(change.rule, altered.line, f"{what} {change.note}", altered.model)


_FK_FIELDS = {"ForeignKey", "OneToOneField", "ParentalKey"}


_TEXT_FIELDS = {
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "URLField",
    "FilePathField",
    "FileField",
    "ImageField",
    "BinaryField",
}


# Operations whose rule is fixed by their name alone.
_BY_NAME = {
    "DeleteModel": "drop-table",
    **dict.fromkeys(("RenameField", "RenameModel", "AlterModelTable"), "rename"),
    **dict.fromkeys(("AddIndex", "AlterIndexTogether"), "blocking-index"),
    "RemoveIndex": "drop-index",
    "RemoveConstraint": "drop-constraint",
}


def _django_op(call: ast.Call, analysis: Analysis, atomic: bool) -> None:
    op, line = call_name(call.func), call.lineno
    model = string(arg(call, 0, "model_name")) or string(arg(call, 0, "name"))
    what = f"{op}({model or '…'})"
    field = string(arg(call, 1, "name"))
    match op:
        case _ if op in _BY_NAME:
            analysis.add(_BY_NAME[op], line, what, model)
        case "CreateModel":
            analysis.add("create-table", line, what, model)
            if model:
                analysis.created.add(model.lower())
        case "RemoveField":
            analysis.add("drop-column", line, f"RemoveField({model}.{field})", model)
        case "AlterField":
            analysis.add("alter-field", line, f"AlterField({model}.{field})", model)
        case "AddField":
            _django_add_field(call, analysis, model)
        case "AddIndexConcurrently":
            analysis.add("concurrent-index", line, what, model)
            if atomic:
                analysis.add("concurrently-in-transaction", line, what, model)
        case "AddConstraint":
            constraint = kwarg(call, "constraint")
            kind = call_name(constraint.func) if isinstance(constraint, ast.Call) else ""
            rule = "add-check-constraint" if "Check" in kind else "add-unique-constraint"
            analysis.add(rule, line, f"AddConstraint({model}, {kind or '…'})", model)
        case "AlterUniqueTogether":
            emptied = _emptied(arg(call, 1, "unique_together"))
            rule = "drop-constraint" if emptied else "add-unique-constraint"
            analysis.add(rule, line, what, model)
        case _:
            _code_op(op, call, analysis, atomic)


def _code_op(op: str, call: ast.Call, analysis: Analysis, atomic: bool) -> None:
    """Operations that run code or SQL, or wrap other operations."""
    match op:
        case "RunSQL":
            _run_sql(call, analysis)
        case "RunPython":
            analysis.add("data-migration", call.lineno, "RunPython")
            if arg(call, 1, "reverse_code") is None:
                analysis.add("irreversible", call.lineno, "RunPython without reverse_code")
        case "SeparateDatabaseAndState":
            database = kwarg(call, "database_operations")
            if isinstance(database, ast.List | ast.Tuple):
                for inner in database.elts:
                    if isinstance(inner, ast.Call):
                        _django_op(inner, analysis, atomic)


def _emptied(together: ast.expr | None) -> bool:
    """Whether `unique_together` is set to nothing (set(), [], {}): a drop."""
    if isinstance(together, ast.Call) and not together.args:  # set()
        return True
    if isinstance(together, ast.Dict):
        return not together.keys
    return isinstance(together, ast.Set | ast.List | ast.Tuple) and not together.elts


def _django_add_field(call: ast.Call, analysis: Analysis, model: str | None) -> None:
    name = string(arg(call, 1, "name"))
    field = arg(call, 2, "field")
    what = f"AddField({model}.{name})"
    if not isinstance(field, ast.Call):
        analysis.add("raw-sql", call.lineno, what, model)
        return
    kind = call_name(field.func)
    line = call.lineno
    if kind.endswith(("ManyToManyField", "TaggableManager")):
        analysis.add("create-table", line, f"{what} (many-to-many table)", model)
        return
    nullable = is_true(kwarg(field, "null"))
    # preserve_default=False: the default fills existing rows and is dropped at once,
    # so running code that inserts without the column fails (a db_default stays)
    one_off = constant(kwarg(call, "preserve_default")) is False
    has_default = (
        (kwarg(field, "default") is not None and not one_off)
        or kwarg(field, "db_default") is not None
        # Django fills these itself while adding the column (schema_editor's
        # effective_default): "" for blank text fields, now() for auto_now ones.
        or (is_true(kwarg(field, "blank")) and kind in _TEXT_FIELDS)
        or is_true(kwarg(field, "auto_now"))
        or is_true(kwarg(field, "auto_now_add"))
    )
    if kind in _FK_FIELDS:
        analysis.add("add-foreign-key", line, f"{what} {kind}", model)
        if not nullable and not has_default:
            analysis.add("add-not-null-column", line, what, model)
        return
    if not nullable and not has_default:
        analysis.add("add-not-null-column", line, f"{what} {kind}", model)
    else:
        analysis.add("add-nullable-column", line, f"{what} {kind}", model)
    if is_true(kwarg(field, "unique")):
        analysis.add("add-unique-constraint", line, f"{what} unique=True", model)
    elif is_true(kwarg(field, "db_index")):
        analysis.add("blocking-index", line, f"{what} db_index=True", model)


def _run_sql(call: ast.Call, analysis: Analysis) -> None:
    strings = sql_strings(arg(call, 0, "sql"))
    if strings is None:
        analysis.add("raw-sql", call.lineno, "RunSQL with SQL built at run time")
    else:
        analysis.sql.extend(SqlSnippet(text, line) for text, line in strings)
    if arg(call, 1, "reverse_sql") is None:
        analysis.add("irreversible", call.lineno, "RunSQL without reverse_sql")
