"""Alembic migrations: `op.` calls in `upgrade()` (batches included), read with `ast`.
`downgrade()` is a rollback path and is not rated.
"""

from __future__ import annotations

import ast
import re

from app.detect.migrations.analysis import Analysis, SqlSnippet
from app.detect.migrations.readers.pyast import (
    arg,
    call_name,
    constant,
    ident,
    is_true,
    kwarg,
    parse,
    sql_strings,
    string,
)

_VOLATILE = re.compile(r"random|gen_random_uuid|uuid_generate|clock_timestamp|nextval", re.I)


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
                    and call_name(ctx.func) == "batch_alter_table"
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    batches[item.optional_vars.id] = ident(arg(ctx, 0, "table_name"))
                if isinstance(ctx, ast.Call) and call_name(ctx.func) == "autocommit_block":
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
    op, line = call_name(call.func), call.lineno
    # In a batch, the table is implied and every positional argument moves left by one.
    shift = 0 if batch is None else -1

    def table(index: int, kw: str = "table_name") -> str | None:
        return batch or ident(arg(call, index, kw))

    def pos(index: int, kw: str) -> ast.expr | None:
        return arg(call, index + shift, kw)

    match op:
        case "create_table":
            name = ident(arg(call, 0, "table_name"))
            analysis.add("create-table", line, f"create_table({name})", name)
            if name:
                analysis.created.add(name.lower())
        case "drop_table":
            analysis.add("drop-table", line, f"drop_table({table(0)})", table(0))
        case "add_column":
            column = pos(1, "column")
            _alembic_column(column, analysis, line, table(0))
        case "drop_column":
            name = string(pos(1, "column_name"))
            analysis.add("drop-column", line, f"drop_column({table(0)}.{name})", table(0))
        case "alter_column":
            name = string(pos(1, "column_name"))
            what = f"alter_column({table(0)}.{name})"
            if kwarg(call, "new_column_name") is not None:
                analysis.add("rename", line, what, table(0))
            if kwarg(call, "type_") is not None:
                analysis.add("change-column-type", line, what, table(0))
            nullable, existing = (
                constant(kwarg(call, "nullable")),
                constant(kwarg(call, "existing_nullable")),
            )
            if nullable is False and existing is not False:
                analysis.add("set-not-null", line, what, table(0))
            elif nullable is True and existing is not True:
                analysis.add("drop-constraint", line, f"{what} nullable=True", table(0))
        case "create_index":
            on = batch or ident(arg(call, 1, "table_name"))
            what = f"create_index({string(arg(call, 0, 'index_name'))} on {on})"
            if is_true(kwarg(call, "postgresql_concurrently")):
                analysis.add("concurrent-index", line, what, on)
                if in_transaction:
                    analysis.add("concurrently-in-transaction", line, what, on)
            else:
                analysis.add("blocking-index", line, what, on)
        case "drop_index":
            what = f"drop_index({string(arg(call, 0, 'index_name'))})"
            if not is_true(kwarg(call, "postgresql_concurrently")):
                analysis.add("drop-index", line, what, batch or ident(kwarg(call, "table_name")))
        case "create_foreign_key":
            source = batch or ident(arg(call, 1, "source_table"))
            if not is_true(kwarg(call, "postgresql_not_valid")):
                analysis.add("add-foreign-key", line, f"create_foreign_key(on {source})", source)
        case "create_unique_constraint" | "create_primary_key":
            on = batch or ident(arg(call, 1, "table_name"))
            analysis.add("add-unique-constraint", line, f"{op}(on {on})", on)
        case "create_check_constraint":
            on = batch or ident(arg(call, 1, "table_name"))
            if not is_true(kwarg(call, "postgresql_not_valid")):
                analysis.add("add-check-constraint", line, f"{op}(on {on})", on)
        case "drop_constraint":
            on = batch or ident(arg(call, 1, "table_name"))
            analysis.add("drop-constraint", line, f"drop_constraint(on {on})", on)
        case "rename_table":
            old = ident(arg(call, 0, "old_table_name"))
            analysis.add("rename", line, f"rename_table({old})", old)
        case "execute":
            strings = sql_strings(arg(call, 0, "sqltext"))
            if strings is None:
                analysis.add("raw-sql", line, "op.execute with SQL built at run time")
            else:
                analysis.sql.extend(SqlSnippet(text, at) for text, at in strings)
        case "bulk_insert":
            analysis.add("data-migration", line, "bulk_insert")


def _alembic_column(
    column: ast.expr | None, analysis: Analysis, line: int, table: str | None
) -> None:
    if not isinstance(column, ast.Call) or call_name(column.func) != "Column":
        analysis.add("raw-sql", line, f"add_column({table})", table)
        return
    name = string(column.args[0]) if column.args else None
    what = f"add_column({table}.{name})"
    if any(isinstance(a, ast.Call) and call_name(a.func) == "ForeignKey" for a in column.args):
        analysis.add("add-foreign-key", line, what, table)
    default = kwarg(column, "server_default")
    default_text = ast.unparse(default) if default is not None else ""
    if default is not None and _VOLATILE.search(default_text):
        analysis.add("add-column-rewrite", line, f"{what} server_default={default_text}", table)
    elif constant(kwarg(column, "nullable")) is False and default is None:
        analysis.add("add-not-null-column", line, what, table)
    else:
        analysis.add("add-nullable-column", line, what, table)
