"""Django and Alembic migrations, read with Python's `ast` (never imported or run).

Operations map onto the unified rules (shared/research/detection.md §2.7); the
SQL of `RunSQL` and `op.execute` goes on to the SQL analysers. Only what runs
forwards is rated: Alembic's `downgrade()` and Django's `reverse_sql` are
rollback paths.
"""

from __future__ import annotations

import ast
import re

from app.detect.migrations.analysis import Analysis, SqlSnippet

_VOLATILE = re.compile(r"random|gen_random_uuid|uuid_generate|clock_timestamp|nextval", re.I)


def parse(text: str, analysis: Analysis) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        analysis.error = (line, f"Python syntax error: {getattr(error, 'msg', error)}")
        return None


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return _kw(call, name)


def _const(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _string(node: ast.expr | None) -> str | None:
    value = _const(node)
    return value if isinstance(value, str) else None


def _ident(node: ast.expr | None) -> str | None:
    """A table named by a string, or by an expression (`Model.__tablename__`) whose
    source text is the same wherever the migration names that table."""
    if isinstance(node, ast.Name | ast.Attribute):
        return ast.unparse(node)
    return _string(node)


def _is_true(node: ast.expr | None) -> bool:
    return _const(node) is True


def _sql_strings(node: ast.expr | None) -> list[tuple[str, int]] | None:
    """String constants of an SQL argument (a str, a list of str, sa.text("…"));
    None if it is computed at run time."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, node.lineno)]
    if isinstance(node, ast.List | ast.Tuple):
        parts = [_sql_strings(e) for e in node.elts]
        if any(p is None for p in parts):
            return None
        return [s for p in parts if p for s in p]
    if isinstance(node, ast.Call) and _name(node.func) == "text" and node.args:
        return _sql_strings(node.args[0])
    return None


# --- Django --------------------------------------------------------------------------


def django(text: str) -> Analysis:
    analysis = Analysis()
    tree = parse(text, analysis)
    if tree is None:
        return analysis
    atomic = True
    operations: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id == "atomic":
                atomic = _const(node.value) is not False
            if (
                isinstance(target, ast.Name)
                and target.id == "operations"
                and isinstance(node.value, ast.List | ast.Tuple)
            ):
                operations.extend(node.value.elts)
    for operation in operations:
        if isinstance(operation, ast.Call):
            _django_op(operation, analysis, atomic)
    return analysis


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


def _django_op(call: ast.Call, analysis: Analysis, atomic: bool) -> None:
    op, line = _name(call.func), call.lineno
    model = _string(_arg(call, 0, "model_name")) or _string(_arg(call, 0, "name"))
    what = f"{op}({model or '…'})"
    match op:
        case "CreateModel":
            analysis.add("create-table", line, what, model)
            if model:
                analysis.created.add(model.lower())
        case "DeleteModel":
            analysis.add("drop-table", line, what, model)
        case "RemoveField":
            field = _string(_arg(call, 1, "name"))
            analysis.add("drop-column", line, f"RemoveField({model}.{field})", model)
        case "AddField":
            _django_add_field(call, analysis, model)
        case "AlterField":
            field = _string(_arg(call, 1, "name"))
            analysis.add("alter-field", line, f"AlterField({model}.{field})", model)
        case "RenameField" | "RenameModel" | "AlterModelTable":
            analysis.add("rename", line, what, model)
        case "AddIndex" | "AlterIndexTogether":
            analysis.add("blocking-index", line, what, model)
        case "AddIndexConcurrently":
            analysis.add("concurrent-index", line, what, model)
            if atomic:
                analysis.add("concurrently-in-transaction", line, what, model)
        case "RemoveIndex":
            analysis.add("drop-index", line, what, model)
        case "AddConstraint":
            constraint = _kw(call, "constraint")
            kind = _name(constraint.func) if isinstance(constraint, ast.Call) else ""
            rule = "add-check-constraint" if "Check" in kind else "add-unique-constraint"
            analysis.add(rule, line, f"AddConstraint({model}, {kind or '…'})", model)
        case "AlterUniqueTogether":
            together = _arg(call, 1, "unique_together")
            emptied = isinstance(together, ast.Set | ast.List | ast.Tuple | ast.Dict) and not (
                together.keys if isinstance(together, ast.Dict) else together.elts
            )
            if isinstance(together, ast.Call) and not together.args:  # set()
                emptied = True
            analysis.add(
                "drop-constraint" if emptied else "add-unique-constraint", line, what, model
            )
        case "RemoveConstraint":
            analysis.add("drop-constraint", line, what, model)
        case "RunSQL":
            _run_sql(call, analysis)
        case "RunPython":
            analysis.add("data-migration", line, "RunPython")
            if _arg(call, 1, "reverse_code") is None:
                analysis.add("irreversible", line, "RunPython without reverse_code")
        case "SeparateDatabaseAndState":
            database = _kw(call, "database_operations")
            if isinstance(database, ast.List | ast.Tuple):
                for inner in database.elts:
                    if isinstance(inner, ast.Call):
                        _django_op(inner, analysis, atomic)


def _django_add_field(call: ast.Call, analysis: Analysis, model: str | None) -> None:
    name = _string(_arg(call, 1, "name"))
    field = _arg(call, 2, "field")
    what = f"AddField({model}.{name})"
    if not isinstance(field, ast.Call):
        analysis.add("raw-sql", call.lineno, what, model)
        return
    kind = _name(field.func)
    line = call.lineno
    if kind.endswith(("ManyToManyField", "TaggableManager")):
        analysis.add("create-table", line, f"{what} (many-to-many table)", model)
        return
    nullable = _is_true(_kw(field, "null"))
    has_default = (
        _kw(field, "default") is not None
        or _kw(field, "db_default") is not None
        # Django fills these itself while adding the column (schema_editor's
        # effective_default): "" for blank text fields, now() for auto_now ones.
        or (_is_true(_kw(field, "blank")) and kind in _TEXT_FIELDS)
        or _is_true(_kw(field, "auto_now"))
        or _is_true(_kw(field, "auto_now_add"))
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
    if _is_true(_kw(field, "unique")):
        analysis.add("add-unique-constraint", line, f"{what} unique=True", model)
    elif _is_true(_kw(field, "db_index")):
        analysis.add("blocking-index", line, f"{what} db_index=True", model)


def _run_sql(call: ast.Call, analysis: Analysis) -> None:
    strings = _sql_strings(_arg(call, 0, "sql"))
    if strings is None:
        analysis.add("raw-sql", call.lineno, "RunSQL with SQL built at run time")
    else:
        analysis.sql.extend(SqlSnippet(text, line) for text, line in strings)
    if _arg(call, 1, "reverse_sql") is None:
        analysis.add("irreversible", call.lineno, "RunSQL without reverse_sql")


# --- Alembic -------------------------------------------------------------------------


def alembic(text: str) -> Analysis:
    analysis = Analysis()
    tree = parse(text, analysis)
    if tree is None:
        return analysis
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        return analysis
    batches: dict[str, str | None] = {"op": None}  # receiver -> implied table
    autocommit: list[tuple[int, int]] = []
    for node in ast.walk(upgrade):
        if isinstance(node, ast.With):
            for item in node.items:
                ctx = item.context_expr
                if (
                    isinstance(ctx, ast.Call)
                    and _name(ctx.func) == "batch_alter_table"
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    batches[item.optional_vars.id] = _ident(_arg(ctx, 0, "table_name"))
                if isinstance(ctx, ast.Call) and _name(ctx.func) == "autocommit_block":
                    autocommit.append((node.lineno, node.end_lineno or node.lineno))
    for node in ast.walk(upgrade):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in batches
        ):
            batch_table = batches[node.func.value.id]
            outside = not any(a <= node.lineno <= b for a, b in autocommit)
            _alembic_op(node, analysis, batch_table, in_transaction=outside)
    analysis.ops.sort(key=lambda op: op.line)
    return analysis


def _alembic_op(
    call: ast.Call, analysis: Analysis, batch: str | None, in_transaction: bool
) -> None:
    op, line = _name(call.func), call.lineno
    # In a batch, the table is implied and every positional argument moves left by one.
    shift = 0 if batch is None else -1

    def table(index: int, kw: str = "table_name") -> str | None:
        return batch or _ident(_arg(call, index, kw))

    def pos(index: int, kw: str) -> ast.expr | None:
        return _arg(call, index + shift, kw)

    match op:
        case "create_table":
            name = _ident(_arg(call, 0, "table_name"))
            analysis.add("create-table", line, f"create_table({name})", name)
            if name:
                analysis.created.add(name.lower())
        case "drop_table":
            analysis.add("drop-table", line, f"drop_table({table(0)})", table(0))
        case "add_column":
            column = pos(1, "column")
            _alembic_column(column, analysis, line, table(0))
        case "drop_column":
            name = _string(pos(1, "column_name"))
            analysis.add("drop-column", line, f"drop_column({table(0)}.{name})", table(0))
        case "alter_column":
            name = _string(pos(1, "column_name"))
            what = f"alter_column({table(0)}.{name})"
            if _kw(call, "new_column_name") is not None:
                analysis.add("rename", line, what, table(0))
            if _kw(call, "type_") is not None:
                analysis.add("change-column-type", line, what, table(0))
            nullable, existing = (
                _const(_kw(call, "nullable")),
                _const(_kw(call, "existing_nullable")),
            )
            if nullable is False and existing is not False:
                analysis.add("set-not-null", line, what, table(0))
            elif nullable is True and existing is not True:
                analysis.add("drop-constraint", line, f"{what} nullable=True", table(0))
        case "create_index":
            on = batch or _ident(_arg(call, 1, "table_name"))
            what = f"create_index({_string(_arg(call, 0, 'index_name'))} on {on})"
            if _is_true(_kw(call, "postgresql_concurrently")):
                analysis.add("concurrent-index", line, what, on)
                if in_transaction:
                    analysis.add("concurrently-in-transaction", line, what, on)
            else:
                analysis.add("blocking-index", line, what, on)
        case "drop_index":
            what = f"drop_index({_string(_arg(call, 0, 'index_name'))})"
            if not _is_true(_kw(call, "postgresql_concurrently")):
                analysis.add("drop-index", line, what, batch or _ident(_kw(call, "table_name")))
        case "create_foreign_key":
            source = batch or _ident(_arg(call, 1, "source_table"))
            if not _is_true(_kw(call, "postgresql_not_valid")):
                analysis.add("add-foreign-key", line, f"create_foreign_key(on {source})", source)
        case "create_unique_constraint" | "create_primary_key":
            on = batch or _ident(_arg(call, 1, "table_name"))
            analysis.add("add-unique-constraint", line, f"{op}(on {on})", on)
        case "create_check_constraint":
            on = batch or _ident(_arg(call, 1, "table_name"))
            if not _is_true(_kw(call, "postgresql_not_valid")):
                analysis.add("add-check-constraint", line, f"{op}(on {on})", on)
        case "drop_constraint":
            on = batch or _ident(_arg(call, 1, "table_name"))
            analysis.add("drop-constraint", line, f"drop_constraint(on {on})", on)
        case "rename_table":
            old = _ident(_arg(call, 0, "old_table_name"))
            analysis.add("rename", line, f"rename_table({old})", old)
        case "execute":
            strings = _sql_strings(_arg(call, 0, "sqltext"))
            if strings is None:
                analysis.add("raw-sql", line, "op.execute with SQL built at run time")
            else:
                analysis.sql.extend(SqlSnippet(text, at) for text, at in strings)
        case "bulk_insert":
            analysis.add("data-migration", line, "bulk_insert")


def _alembic_column(
    column: ast.expr | None, analysis: Analysis, line: int, table: str | None
) -> None:
    if not isinstance(column, ast.Call) or _name(column.func) != "Column":
        analysis.add("raw-sql", line, f"add_column({table})", table)
        return
    name = _string(column.args[0]) if column.args else None
    what = f"add_column({table}.{name})"
    if any(isinstance(a, ast.Call) and _name(a.func) == "ForeignKey" for a in column.args):
        analysis.add("add-foreign-key", line, what, table)
    default = _kw(column, "server_default")
    default_text = ast.unparse(default) if default is not None else ""
    if default is not None and _VOLATILE.search(default_text):
        analysis.add("add-column-rewrite", line, f"{what} server_default={default_text}", table)
    elif _const(_kw(column, "nullable")) is False and default is None:
        analysis.add("add-not-null-column", line, what, table)
    else:
        analysis.add("add-nullable-column", line, what, table)
