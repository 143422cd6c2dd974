"""Reading Python migrations with `ast` (never imported or run): the helpers the
Django and Alembic readers share.
"""

from __future__ import annotations

import ast

from app.detect.migrations.analysis import Analysis


def parse(text: str, analysis: Analysis) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        analysis.error = (line, f"Python syntax error: {getattr(error, 'msg', error)}")
        return None


def parse_quietly(text: str) -> ast.Module | None:
    """The module, or None if it is not Python this interpreter can parse."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def kwarg(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def arg(call: ast.Call, index: int, name: str) -> ast.expr | None:
    if len(call.args) > index:
        return call.args[index]
    return kwarg(call, name)


def constant(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def string(node: ast.expr | None) -> str | None:
    value = constant(node)
    return value if isinstance(value, str) else None


def ident(node: ast.expr | None) -> str | None:
    """A table named by a string, or by an expression (`Model.__tablename__`) whose
    source text is the same wherever the migration names that table."""
    if isinstance(node, ast.Name | ast.Attribute):
        return ast.unparse(node)
    return string(node)


def is_true(node: ast.expr | None) -> bool:
    return constant(node) is True


def sql_strings(node: ast.expr | None) -> list[tuple[str, int]] | None:
    """String constants of an SQL argument (a str, a list of str, sa.text("…"));
    None if it is computed at run time."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, node.lineno)]
    if isinstance(node, ast.List | ast.Tuple):
        parts = [sql_strings(e) for e in node.elts]
        if any(p is None for p in parts):
            return None
        return [s for p in parts if p for s in p]
    if isinstance(node, ast.Call) and call_name(node.func) == "text" and node.args:
        return sql_strings(node.args[0])
    return None
