"""Alembic migrations: `op.` calls in `upgrade()` (batches included), read with `ast`.
`downgrade()` is a rollback path and is not rated.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

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
from app.detect.migrations.types import ColumnType, in_place

_BIND = re.compile(r"(?<![:\w]):(?=[A-Za-z_])\w+")
_VOLATILE = re.compile(r"random|gen_random_uuid|uuid_generate|clock_timestamp|nextval", re.I)


def alembic(text: str) -> Analysis:
    analysis = Analysis()
    tree = parse(text, analysis)
    if tree is None:
        return analysis
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    upgrade = functions.get("upgrade")
    if upgrade is None:
        return analysis
    _read_upgrade(upgrade, analysis)
    downgrade = functions.get("downgrade")
    no_way_back = downgrade is None or _does_nothing(downgrade)
    if (analysis.ops or analysis.sql) and no_way_back:
        line = downgrade.lineno if downgrade else upgrade.lineno
        what = "downgrade() does nothing" if downgrade else "no downgrade()"
        analysis.add("irreversible", line, what, None, "a rollback changes nothing back")
    return analysis


def _does_nothing(function: ast.FunctionDef) -> bool:
    """A body of `pass`, `...`, a docstring or a raise: no way back."""
    return all(
        isinstance(node, ast.Pass | ast.Raise)
        or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        for node in function.body
    )


@dataclass(frozen=True, slots=True)
class _Block:
    """A `with` block of upgrade(): a batch_alter_table (its receiver and table) or an
    autocommit_block (no receiver)."""

    receiver: str | None
    table: str | None
    first: int
    last: int

    def holds(self, line: int) -> bool:
        return self.first <= line <= self.last


def _blocks(upgrade: ast.FunctionDef) -> list[_Block]:
    blocks = []
    for node in ast.walk(upgrade):
        if not isinstance(node, ast.With):
            continue
        for item in node.items:
            ctx, name = item.context_expr, item.optional_vars
            if not isinstance(ctx, ast.Call):
                continue
            span = (node.lineno, node.end_lineno or node.lineno)
            if call_name(ctx.func) == "batch_alter_table" and isinstance(name, ast.Name):
                blocks.append(_Block(name.id, ident(arg(ctx, 0, "table_name")), *span))
            elif call_name(ctx.func) == "autocommit_block":
                blocks.append(_Block(None, None, *span))
    return blocks


def _batch_of(call: ast.Call, blocks: list[_Block]) -> _Block | None:
    """The innermost batch whose receiver makes this call (`op.` is a batch of no table);
    a receiver name is often reused by the next block, for the next table."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    if func.value.id == "op":
        return _Block("op", None, call.lineno, call.lineno)
    inside = [b for b in blocks if b.receiver == func.value.id and b.holds(call.lineno)]
    return min(inside, key=lambda b: b.last - b.first, default=None)


def _read_upgrade(upgrade: ast.FunctionDef, analysis: Analysis) -> None:
    blocks = _blocks(upgrade)
    autocommit = [b for b in blocks if b.receiver is None]
    for node in ast.walk(upgrade):
        if not isinstance(node, ast.Call):
            continue
        batch = _batch_of(node, blocks)
        if batch is not None:
            outside = not any(b.holds(node.lineno) for b in autocommit)
            _alembic_op(node, analysis, batch.table, in_transaction=outside)
        elif call_name(node.func) == "execute":
            _sql(node, "statement", analysis, "execute")  # op.get_bind().execute(sa.text(…))
    analysis.ops.sort(key=lambda op: op.line)


def _sql(call: ast.Call, keyword: str, analysis: Analysis, what: str) -> None:
    strings = sql_strings(arg(call, 0, keyword))
    if strings is None:
        analysis.add("raw-sql", call.lineno, f"{what} with SQL built at run time")
        return
    # SQLAlchemy's `:name` bind parameters read as Postgres' `$1` (squawk rejects them)
    for text, at in strings:
        analysis.sql.append(SqlSnippet(_BIND.sub("$1", text), at))


@dataclass(frozen=True, slots=True)
class _OpCall:
    """One `op.<name>(…)` call; in a batch the table is implied and every positional
    argument moves left by one."""

    call: ast.Call
    batch: str | None

    @property
    def line(self) -> int:
        return self.call.lineno

    def table(self, index: int = 0, kw: str = "table_name") -> str | None:
        return self.batch or ident(arg(self.call, index, kw))

    def pos(self, index: int, kw: str) -> ast.expr | None:
        return arg(self.call, index - (self.batch is not None), kw)

    def flag(self, name: str) -> bool:
        return is_true(kwarg(self.call, name))


def _alembic_op(
    call: ast.Call, analysis: Analysis, batch: str | None, in_transaction: bool
) -> None:
    op, c = call_name(call.func), _OpCall(call, batch)
    match op:
        case "create_table":
            name = ident(arg(call, 0, "table_name"))
            analysis.add("create-table", c.line, f"create_table({name})", name)
            if name:
                analysis.created.add(name.lower())
        case "drop_table":
            analysis.add("drop-table", c.line, f"drop_table({c.table()})", c.table())
        case "rename_table":
            old = ident(arg(call, 0, "old_table_name"))
            analysis.add("rename", c.line, f"rename_table({old})", old)
        case "add_column":
            _alembic_column(c.pos(1, "column"), analysis, c.line, c.table())
        case "drop_column":
            name = string(c.pos(1, "column_name"))
            analysis.add("drop-column", c.line, f"drop_column({c.table()}.{name})", c.table())
        case "alter_column":
            _alter_column(c, analysis)
        case "create_index" | "drop_index":
            _index(op, c, analysis, in_transaction)
        case "execute":
            _sql(call, "sqltext", analysis, "op.execute")
        case "bulk_insert":
            analysis.add("data-migration", c.line, "bulk_insert")
        case _:
            _constraint(op, c, analysis)


def _alter_column(c: _OpCall, analysis: Analysis) -> None:
    what = f"alter_column({c.table()}.{string(c.pos(1, 'column_name'))})"
    if kwarg(c.call, "new_column_name") is not None:
        analysis.add("rename", c.line, what, c.table())
    if kwarg(c.call, "type_") is not None:
        old, new = _sa_type(kwarg(c.call, "existing_type")), _sa_type(kwarg(c.call, "type_"))
        why = in_place(old, new) if old and new else None
        if why is None:
            analysis.add("change-column-type", c.line, what, c.table())
        else:
            analysis.add("widen-column", c.line, what, c.table(), why)
    nullable = constant(kwarg(c.call, "nullable"))
    existing = constant(kwarg(c.call, "existing_nullable"))
    if nullable is False and existing is not False:
        analysis.add("set-not-null", c.line, what, c.table())
    elif nullable is True and existing is not True:
        analysis.add("drop-not-null", c.line, f"{what} nullable=True", c.table())


# SQLAlchemy's type names, by what Postgres makes of them.
_SA_TYPES = {
    **dict.fromkeys(("String", "Unicode", "VARCHAR", "NVARCHAR"), "varchar"),
    **dict.fromkeys(("Text", "UnicodeText", "TEXT"), "text"),
    **dict.fromkeys(("Numeric", "NUMERIC", "DECIMAL"), "numeric"),
}


def _sa_type(node: ast.expr | None) -> ColumnType | None:
    """`sa.String(500)`, `sa.Text().with_variant(…)`, `sa.Numeric(10, 2)` as a ColumnType."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "with_variant"
    ):
        node = node.func.value  # the type every other dialect gets
    if isinstance(node, ast.Name | ast.Attribute):  # sa.Text, without a call
        node = ast.Call(func=node, args=[], keywords=[])
    if not isinstance(node, ast.Call):
        return None
    name = call_name(node.func)
    sizes = [constant(arg) for arg in node.args] + [constant(kwarg(node, "length"))]
    numbers = [n for n in sizes if isinstance(n, int)]
    scale = constant(kwarg(node, "scale"))
    if len(numbers) > 1:
        scale = numbers[1]
    return ColumnType(
        _SA_TYPES.get(name, name.lower()),
        numbers[0] if numbers else None,
        scale if isinstance(scale, int) else None,
    )


def _index(op: str, c: _OpCall, analysis: Analysis, in_transaction: bool) -> None:
    name = string(arg(c.call, 0, "index_name"))
    concurrently = c.flag("postgresql_concurrently")
    if op == "drop_index":
        if not concurrently:
            on = c.batch or ident(kwarg(c.call, "table_name"))
            analysis.add("drop-index", c.line, f"drop_index({name})", on)
        return
    on = c.batch or ident(arg(c.call, 1, "table_name"))
    what = f"create_index({name} on {on})"
    if not concurrently:
        analysis.add("blocking-index", c.line, what, on)
        return
    analysis.add("concurrent-index", c.line, what, on)
    if in_transaction:
        analysis.add("concurrently-in-transaction", c.line, what, on)


def _constraint(op: str, c: _OpCall, analysis: Analysis) -> None:
    match op:
        case "create_foreign_key":
            source = c.batch or ident(arg(c.call, 1, "source_table"))
            if not c.flag("postgresql_not_valid"):
                analysis.add("add-foreign-key", c.line, f"{op}(on {source})", source)
            return
        case "create_unique_constraint" | "create_primary_key":
            rule: str | None = "add-unique-constraint"
        case "create_check_constraint":
            rule = None if c.flag("postgresql_not_valid") else "add-check-constraint"
        case "drop_constraint":
            rule = "drop-constraint"
        case _:
            return
    on = c.batch or ident(arg(c.call, 1, "table_name"))
    if rule:
        analysis.add(rule, c.line, f"{op}(on {on})", on)


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
