"""What a migration file's own finding is worth, from what the file does.

- A new migration carries the severity of its worst operation (low when every
  operation is safe, as a create-table-only migration is), and says which; when
  nothing in it could be rated it stays medium, as before.
- An edit of an applied migration that changes nothing it does — imports reordered,
  blank lines, comments, formatting — is `migration.lint-only` (info): the database
  that ran it is not affected. Anything else stays `migration.edited` (high).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import replace

from app.detect.base import ChangedFile, Finding, Severity
from app.detect.migrations.files import label

_PYTHON = ("Django", "Alembic")
# Line comments by file type: only what the language itself reads as a comment, so
# no line of code (`* FROM users` in a wrapped SELECT, a JS `#field`) is set aside.
_LINE_COMMENTS = {".rb": ("#",), ".ex": ("#",), ".exs": ("#",), ".sql": ("--",)}
_C_LIKE = ("//",)  # JS/TS, PHP, C#, Java/Kotlin, Go
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_IMPORT_LINE = re.compile(
    r"^\s*(?:import\s|from\s\S+\s+import\s|require\s|const\s+\w+\s*=\s*require\()"
)
# Quoted strings keep their spacing: `'a  b'` and `'a b'` are different data.
_QUOTED = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def worst_operation(
    added: Finding, operations: Sequence[Finding], empty: bool, python_only: bool = False
) -> Finding:
    """`migration.added` at the severity of the file's worst operation (low when the
    reader saw it has none at all; info when none of them runs SQL)."""
    if empty and not operations:
        message = f"new {label(added.extra['framework'])}: it has no operations"
        return replace(added, severity=Severity.LOW, message=message)
    if python_only:
        message = (
            f"new {label(added.extra['framework'])}: runs no SQL (each operation changes "
            "only what the models say: choices, help text, options)"
        )
        return replace(added, severity=Severity.INFO, message=message)
    if not operations:
        return added
    worst = max(operations, key=lambda f: (f.severity, -(f.line or 0)))
    name = worst.rule.removeprefix("migration.")
    if worst.severity <= Severity.LOW:
        verdict = (
            f"every operation in it is safe (the worst: {name}, {worst.severity.name.lower()})"
        )
        severity = Severity.LOW
    else:
        verdict = (
            f"its worst operation is {worst.severity.name.lower()}: {name} at line {worst.line}"
        )
        severity = worst.severity
    message = f"new {label(added.extra['framework'])}: {verdict}"
    return replace(added, severity=severity, message=message)


def lint_only(changed: ChangedFile, framework: str) -> bool:
    """Whether base and head do the same thing: same code once imports are sorted and
    comments, blank lines and spacing are gone. Unknown sides are never lint-only."""
    base, head = changed.base_text(), changed.head_text()
    if base is None or head is None:
        return False
    if framework in _PYTHON or changed.path.endswith(".py"):
        before = _python_shape(base)
        return before is not None and before == _python_shape(head)
    return _text_shape(base, changed.path) == _text_shape(head, changed.path)


def lint_only_finding(edited: Finding, framework: str) -> Finding:
    return replace(
        edited,
        severity=Severity.INFO,
        rule="migration.lint-only",
        message=f"existing {label(framework)} reformatted (imports, blank lines, comments): "
        "what it does to the database is unchanged",
    )


def _python_shape(text: str) -> str | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    imports = sorted(ast.dump(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom))
    rest = [n for n in tree.body if not isinstance(n, ast.Import | ast.ImportFrom)]
    return "\n".join(imports) + "\n--\n" + ast.dump(ast.Module(body=rest, type_ignores=[]))


def _text_shape(text: str, path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(import lines sorted, code lines in order), comments and blank lines left out
    and spacing outside strings collapsed."""
    suffix = path[path.rfind(".") :].lower()
    markers = _LINE_COMMENTS.get(suffix, _C_LIKE)
    if suffix not in (".rb", ".ex", ".exs"):
        text = _BLOCK_COMMENT.sub(" ", text)
    imports: list[str] = []
    code: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith(markers):
            continue
        squeezed = _squeeze(stripped)
        (imports if _IMPORT_LINE.match(line) else code).append(squeezed)
    return tuple(sorted(imports)), tuple(code)


def _squeeze(line: str) -> str:
    parts = _QUOTED.split(line)  # odd parts are the quoted strings
    return "".join(p if i % 2 else " ".join(p.split()) for i, p in enumerate(parts))
