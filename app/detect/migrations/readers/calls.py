"""Reading schema-builder DSLs by their calls, for every reader of this package.

These DSLs are regular enough to read by their calls: a reader finds the calls of
its framework, takes their arguments (balanced brackets, strings skipped) and maps
them onto the unified rules. Embedded SQL goes on to the SQL analysers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.detect.migrations.analysis import Analysis, SqlSnippet

_STRING = re.compile(
    r"""@"(?:[^"]|"")*"|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`""", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    line: int
    args: str  # the text inside the call's brackets (or to the end of a Ruby line)
    start: int  # offset of `args` in the file


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _closing(text: str, open_at: int) -> int:
    """Offset of the bracket closing the one at `open_at` (strings skipped)."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    stack = [pairs[text[open_at]]]
    i = open_at + 1
    while i < len(text) and stack:
        ch = text[i]
        if ch == "/" and text.startswith(("//", "/*"), i):  # a comment: `can't` is no string
            end = text.find("\n" if text[i + 1] == "/" else "*/", i + 2)
            i = len(text) if end < 0 else end + (1 if text[i + 1] == "/" else 2)
            continue
        if ch in "\"'`@":
            match = _STRING.match(text, i)
            if match:
                i = match.end()
                continue
        if ch in pairs:
            stack.append(pairs[ch])
        elif ch == stack[-1]:
            stack.pop()
        i += 1
    return i - 1 if not stack else len(text)


def calls(
    text: str, pattern: re.Pattern[str], lo: int = 0, hi: int | None = None
) -> Iterator[Call]:
    """Calls whose name (group 1) matches `pattern` followed by `(`, in text[lo:hi]."""
    hi = len(text) if hi is None else hi
    for match in pattern.finditer(text, lo, hi):
        open_at = match.end() - 1
        close = _closing(text, open_at)
        yield Call(
            match.group(1), line_at(text, match.start(1)), text[open_at + 1 : close], open_at + 1
        )


def first_string(call: Call, text: str) -> tuple[str, int] | None:
    """The first string literal in a call's arguments, unquoted, and its line."""
    match = _STRING.search(call.args)
    if match is None:
        return None
    raw = match.group()
    body = raw[2:-1].replace('""', '"') if raw.startswith("@") else raw[1:-1]
    return body, line_at(text, call.start + match.start())


def first_name(args: str) -> str | None:
    match = re.search(r"""(?:table:\s*|name:\s*)?["'`:]?(\w+)""", args)
    return match.group(1).lower() if match else None


def table_kw(args: str) -> str | None:
    match = re.search(r"""\btable:\s*["']?(\w+)""", args)
    return match.group(1).lower() if match else first_name(args)


def body_of(text: str, head: re.Pattern[str]) -> tuple[int, int]:
    """The braces-delimited body after the first `head` match (an `up` method), else all.
    An arrow function with an expression body (`up = (knex) => knex.schema…`) runs to
    the `down` after it."""
    match = head.search(text)
    if match is None:
        return 0, len(text)
    brace = text.find("{", match.end())
    if brace < 0:
        return 0, len(text)
    if re.search(r"=>\s*[^\s{]", text[match.end() : brace]):
        down = _JS_DOWN.search(text, match.end())
        return match.end(), down.start() if down else len(text)
    return brace, _closing(text, brace)


_JS_DOWN = re.compile(r"exports\.down\s*=|\bdown\s*:|\basync\s+down\s*\(|\bdown\s*\(")


# Values a migration fills in at run time: JS `${…}` and Ruby `#{…}` interpolation,
# Knex's `??` (an identifier) and `?` (a value) bindings.
_INTERPOLATED = re.compile(r"\$\{[^}]*\}|#\{[^}]*\}")
_BINDINGS = re.compile(r"\?\?|(?<![\w?])\?(?![\w?|&-])")


def sql_or_raw(call: Call, text: str, analysis: Analysis, what: str) -> None:
    """The SQL of a call's first string, rated with its run-time parts as placeholders
    (a whole statement built at run time is unparsable, so still "read it")."""
    found = first_string(call, text)
    if found is None:
        analysis.add("raw-sql", call.line, f"{what} with SQL built at run time")
        return
    sql, line = found
    filled = _BINDINGS.sub(
        lambda m: "x" if m.group() == "??" else "$1", _INTERPOLATED.sub("x", sql)
    )
    if not re.search(r"[A-Za-z]{2,}", filled):  # the whole statement comes at run time
        analysis.add("raw-sql", call.line, f"{what} with SQL built at run time")
        return
    analysis.sql.append(SqlSnippet(filled, line))


def column_rule(chain: str, nullable: str, default: str) -> str:
    if re.search(nullable, chain):
        return "add-nullable-column"
    if re.search(default, chain):
        return "add-nullable-column"  # a constant default: metadata only on PG 11+
    return "add-not-null-column"


def blocks(lines: list[str], head: re.Pattern[str]) -> set[int]:
    """Line numbers inside Ruby blocks opened by `head` (to the `end` or `}` at its
    indentation). A call with no block (`create_table :audits`) opens nothing."""
    inside: set[int] = set()
    for i, line in enumerate(lines):
        match = head.match(line)
        if match is None:
            continue
        last = i  # the opener's arguments may go on over lines ending in a comma
        while lines[last].rstrip().endswith(",") and last + 1 < len(lines):
            last += 1
        opener = " ".join(lines[i : last + 1])
        if re.search(r"\{.*\}\s*$|\bdo\b.*\bend\b", opener):  # a one-line block
            inside.update(range(i + 1, last + 2))
            continue
        if not re.search(r"\bdo\b|\{\s*(\|[^|]*\|)?\s*$", opener) and not re.match(
            r"\s*def\b", line
        ):
            continue
        indent = match.group(1)
        for j in range(i, len(lines)):
            inside.add(j + 1)
            if j > last and re.match(rf"^{indent}(end|\}})\b", lines[j]):
                break
    return inside


def embedded_sql(text: str, pattern: re.Pattern[str], lo: int, hi: int, analysis: Analysis) -> None:
    for call in calls(text, pattern, lo, hi):
        sql_or_raw(call, text, analysis, call.name)


def no_transaction(text: str) -> bool:
    """Knex's `exports.config = { transaction: false }` (Sequelize has none per file)."""
    return bool(re.search(r"\bconfig\s*=\s*\{[^}]*\btransaction\s*:\s*false", text))


JS_UP = re.compile(
    r"(?:exports\.up\s*=|\bup\s*:|\basync\s+up\s*\(|\bfunction\s+up\s*\(|\bpublic\s+(?:async\s+)?up\s*\()"
)
