"""A source file as syntax (tree-sitter grammars through ast-grep-py): the settings it
makes, whatever their spelling, and the statements and literals its lines belong to.

A *setting* is a key given a value: a keyword argument (`verify=False`), a pair in a
dict, object, hash or array (`rejectUnauthorized: false`, `'verify' => false`), a
field in a struct or initializer (`InsecureSkipVerify: true`, `HttpOnly = false`), an
assignment (`session.verify = False`, `app.config["K"] = False`), a setter
(`cookie.setSecure(false)`, `.httpOnly(false)`), a key-value call
(`res.setHeader('Access-Control-Allow-Origin', '*')`, `curl_setopt($ch, K, false)`,
`ini_set('session.cookie_httponly', '0')`) or a positional cookie call
(`setcookie(name, v, exp, path, domain, false, false)`). Its value is read as a
literal, or through a constant of the same file (`VERIFY = False` … `verify=VERIFY`).
Its context is what it configures: the calls and keys around it, and for a literal
held in a variable, the calls that variable is passed to.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from typing import Any

from ast_grep_py import Config, Rule, SgNode, SgRoot

_JS = ("pair", "assignment_expression", "variable_declarator")
BINDINGS: dict[str, tuple[str, ...]] = {
    "python": ("keyword_argument", "pair", "assignment"),
    "javascript": _JS,
    "typescript": _JS,
    "tsx": _JS,
    "go": ("keyed_element", "assignment_statement", "short_var_declaration", "const_spec"),
    "java": ("element_value_pair", "assignment_expression", "variable_declarator"),
    "kotlin": ("assignment", "property_declaration"),
    "ruby": ("pair", "assignment"),
    "php": ("array_element_initializer", "assignment_expression"),
    "csharp": ("assignment_expression", "variable_declarator", "argument"),
}
_JS_CALLS = ("call_expression", "new_expression")
CALLS: dict[str, tuple[str, ...]] = {
    "python": ("call",),
    "javascript": _JS_CALLS,
    "typescript": _JS_CALLS,
    "tsx": _JS_CALLS,
    "go": ("call_expression",),
    "java": ("method_invocation", "object_creation_expression"),
    "kotlin": ("call_expression",),
    "ruby": ("call",),
    "php": (
        "function_call_expression",
        "member_call_expression",
        "object_creation_expression",
        "scoped_call_expression",
    ),
    "csharp": ("invocation_expression", "object_creation_expression"),
}
STRINGS = (
    "string",
    "string_literal",
    "interpreted_string_literal",
    "raw_string_literal",
    "template_string",
    "encapsed_string",
    "verbatim_string_literal",
)
COMMENTS = ("comment", "line_comment", "block_comment", "multiline_comment")
_TOKEN = re.compile(r"[A-Za-z_][\w-]*")
_LAMBDA_TRUE = re.compile(r"^\(?[\w\s,]*\)?\s*(?:=>|->)\s*true$")
# `(origin) => origin`: a callback that hands back whatever it is given
_LAMBDA_ECHO = re.compile(r"^\(?\s*(\w+)\s*\)?\s*(?:=>|->)\s*\1$")
# `(origin, callback) => callback(null, true)`: a Node-style callback that says yes
_LAMBDA_YES = re.compile(r"^\(?[\w\s,]*\)?\s*=>\s*\w+\(\s*null\s*,\s*true\s*\)$")
# calls that set one key to one value: (key, value) as their first two arguments
_KEY_VALUE_CALLS = frozenset(
    ("set", "setheader", "header", "addheader", "setdefault", "setenv", "putenv", "iniset")
)


class Always:
    """A callback that accepts everything: `(a, b, c, d) => true`."""

    def __repr__(self) -> str:
        return "always"


ALWAYS = Always()


@dataclass(frozen=True, slots=True)
class Expr:
    """A value that is not a literal, by its text (`ssl.CERT_NONE`, `req.headers.origin`)."""

    text: str


@dataclass(slots=True)
class Setting:
    key: str  # normalised: lower case, no `_` or `-` (`rejectunauthorized`)
    value: Any  # bool, int, str, list, Always or Expr
    line: int  # 1-based, where the value is
    last: int  # the value's last line
    lines: set[int] = field(default_factory=set)  # every line it rests on
    # what it configures, lower-cased; read only when a rule asks (it walks the tree)
    where: Callable[[], str] = field(default=lambda: "", repr=False)
    _context: str | None = field(default=None, repr=False)

    @property
    def context(self) -> str:
        if self._context is None:
            self._context = self.where()
        return self._context


class Lines:
    """A set of 1-based line numbers that answers "does this span touch one?" quickly."""

    def __init__(self, numbers: Iterator[int] | list[int] | set[int]) -> None:
        self._sorted = sorted(set(numbers))

    def touches(self, node: SgNode) -> bool:
        span = node.range()
        i = bisect.bisect_left(self._sorted, span.start.line + 1)
        return i < len(self._sorted) and self._sorted[i] <= span.end.line + 1


def normalise(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "").replace(".", "")


class Source:
    """One parsed file, read lazily: nothing is walked that no rule asks for."""

    def __init__(self, text: str, grammar: str) -> None:
        self.grammar = grammar
        self.root = SgRoot(text, grammar).root()
        self._constants: dict[str, SgNode] | None = None

    # -- settings ---------------------------------------------------------------

    def settings(self, hot: Lines, wanted: Container[str]) -> Iterator[Setting]:
        """Every setting of a key in `wanted` on the `hot` lines (those whose words
        may name one). The tree is walked once for both shapes; nodes are filtered in
        Python, since ast-grep compiles a rule's regex anew at every call (0.5 ms)."""
        calls = CALLS[self.grammar]
        for node in self.root.find_all(any_kind(self.grammar, (*BINDINGS[self.grammar], *calls))):
            if not hot.touches(node):
                continue
            if node.kind() in calls:
                yield from self._call_settings(node, wanted)
            else:
                found = self._binding(node, wanted)
                if found is not None:
                    yield found

    def _binding(self, node: SgNode, wanted: Container[str]) -> Setting | None:
        named = [c for c in node.children() if c.is_named()]
        if len(named) < 2:
            return None
        key_node = _unwrap(named[0])
        key = _key_name(key_node.text())
        if key is None or key not in wanted or key_node.kind() in COMMENTS:
            return None
        prefix = key_node.text().lower()
        return self._setting(key, named[-1], lambda: f"{prefix} {self._context(node)}")

    def _call_settings(self, call: SgNode, wanted: Container[str]) -> Iterator[Setting]:
        callee, args = _callee_and_args(call)
        if callee is None or not args:
            return
        name = normalise(_last_name(callee))
        where = self._call_context(call, callee)
        if len(args) == 1 and args[0].kind() in STRINGS and name == "header":
            key, _, value = _string(args[0]).partition(":")
            if value and normalise(key) in wanted:
                line = _line(args[0])
                yield Setting(normalise(key), value.strip(), line, line, {line}, where)
            return
        if len(args) == 1:  # setSecure(false), .httpOnly(false), csrf.Secure(false)
            key = name.removeprefix("set").removeprefix("add") if len(name) > 4 else name
            if key in wanted:
                yield self._setting(key, args[0], where)
        elif len(args) >= 2 and name in _KEY_VALUE_CALLS and args[0].kind() in STRINGS:
            if normalise(_string(args[0])) in wanted:
                yield self._setting(normalise(_string(args[0])), args[1], where)
        elif len(args) == 3 and name == "curlsetopt" and normalise(args[1].text()) in wanted:
            yield self._setting(normalise(args[1].text()), args[2], where)
        if name == "setcookie" and len(args) >= 7:  # PHP's and gin's: …, secure, httpOnly
            yield self._setting("secure", args[5], lambda: f"cookie {where()}")
            yield self._setting("httponly", args[6], lambda: f"cookie {where()}")

    def _call_context(self, call: SgNode, callee: str) -> Callable[[], str]:
        return lambda: f"{callee.lower()} {self._context(call)}"

    def _setting(self, key: str, value_node: SgNode, where: Callable[[], str]) -> Setting:
        value, lines = self.value(value_node)
        span = _unwrap(value_node).range()
        line = span.start.line + 1
        return Setting(key, value, line, span.end.line + 1, {line, *lines}, where)

    # -- values -----------------------------------------------------------------

    def value(self, node: SgNode, depth: int = 0) -> tuple[Any, set[int]]:
        """The node's value, and the lines of the constants it was read through."""
        node = _unwrap(node)
        kind, text = node.kind(), node.text().strip()
        if kind in ("true", "false", "boolean", "boolean_literal") or text in _BOOLS:
            return _BOOLS.get(text.lower(), text), set()
        if kind in STRINGS:
            return _string(node), set()
        if kind in _NUMBERS:
            return int(text) if text.isdigit() else Expr(text), set()
        if _LAMBDA_TRUE.match(text) or _LAMBDA_ECHO.match(text) or _LAMBDA_YES.match(text):
            return ALWAYS, set()
        if kind in _LISTS:
            items = [self.value(c, depth + 1) for c in node.children() if _is_item(c)]
            return [v for v, _ in items], {line for _, lines in items for line in lines}
        if kind in _NAMES and depth < 2:
            constant = self.constants().get(text)
            if constant is not None:
                value, lines = self.value(constant, depth + 1)
                return value, {_line(constant), *lines}
        return Expr(text), set()

    def constants(self) -> dict[str, SgNode]:
        """Names bound once to a value in this file (the last binding wins)."""
        if self._constants is None:
            self._constants = {}
            for kind in BINDINGS[self.grammar]:
                for node in self.root.find_all(kind=kind):
                    named = [c for c in node.children() if c.is_named()]
                    if len(named) >= 2 and _unwrap(named[0]).kind() in _NAMES:
                        self._constants[_unwrap(named[0]).text().strip()] = named[-1]
        return self._constants

    # -- context ----------------------------------------------------------------

    def _context(self, node: SgNode) -> str:
        """The calls and keys around a node, and where a variable holding it is used."""
        parts: list[str] = []
        for ancestor in node.ancestors()[:8]:
            kind = ancestor.kind()
            if kind in CALLS[self.grammar]:
                callee, args = _callee_and_args(ancestor)
                parts.append((callee or "")[:120])
                if callee and "cookie" in callee.lower() and args and args[0].kind() in STRINGS:
                    parts.append(f"cookie-name:{_string(args[0])}")
            elif kind in _CLASSES:  # `class InternalSession(requests.Session)`
                parts.append(ancestor.text()[:120].split("\n", 1)[0])
            elif kind in BINDINGS[self.grammar]:
                named = [c for c in ancestor.children() if c.is_named()]
                holder = _unwrap(named[0]) if named else None
                if holder is not None:
                    parts.append(holder.text()[:80])
                    if holder.kind() in _NAMES:
                        parts.extend(self._uses(holder.text().strip()))
        return " ".join(parts).lower()

    def _uses(self, name: str) -> list[str]:
        if not _TOKEN.fullmatch(name):
            return []
        rule = any_kind(self.grammar, CALLS[self.grammar], rf"\b{re.escape(name)}\b")
        out = []
        for call in self.root.find_all(rule)[:4]:
            callee, args = _callee_and_args(call)
            if callee and any(re.search(rf"\b{re.escape(name)}\b", a.text()) for a in args):
                out.append(callee[:120])
        return out

    # -- where text is not code -------------------------------------------------

    def literal_lines(self, line: int) -> list[tuple[int, int, str]]:
        """Strings and comments touching a 1-based line: (first line, last line, text)."""
        out = []
        here = Lines([line])
        for node in self.root.find_all(any_kind(self.grammar, (*STRINGS, *COMMENTS))):
            if here.touches(node):
                r = node.range()
                out.append((r.start.line + 1, r.end.line + 1, node.text()))
        return out


@functools.cache
def kinds_of(grammar: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The node kinds the grammar has (ast-grep refuses a rule naming any other)."""
    root = SgRoot("", grammar).root()
    valid = []
    for kind in kinds:
        try:
            root.find(kind=kind)
        except RuntimeError:
            continue
        valid.append(kind)
    return tuple(valid)


def any_kind(grammar: str, kinds: tuple[str, ...], regex: str = "") -> Config:
    """An ast-grep rule: a node of one of these kinds, whose text matches `regex`."""
    rule: Rule = {"any": [{"kind": k} for k in kinds_of(grammar, kinds)]}
    if regex:
        rule["regex"] = regex
    return {"rule": rule}


_CLASSES = ("class_definition", "class_declaration", "class")
_NUMBERS = ("integer", "number", "integer_literal", "int_literal", "decimal_integer_literal")
_BOOLS: dict[str, Any] = {"true": True, "false": False, "True": True, "False": False}
_LISTS = ("list", "array", "tuple", "array_creation_expression", "set", "composite_literal")
_NAMES = ("identifier", "simple_identifier", "constant", "name", "variable_name")


def _is_item(node: SgNode) -> bool:
    return node.is_named() and node.kind() not in COMMENTS and node.kind() != "qualified_type"


def _unwrap(node: SgNode) -> SgNode:
    """Through the one-child wrappers grammars put around keys and values."""
    for _ in range(4):
        named = [c for c in node.children() if c.is_named()]
        if node.kind() in _WRAPPERS and len(named) == 1:
            node = named[0]
        else:
            break
    return node


_WRAPPERS = (
    "expression_list",
    "literal_element",
    "literal_value",
    "argument",
    "value_argument",
    "directly_assignable_expression",
    "parenthesized_expression",
    "variable_declaration",
    "array_element_initializer",
)


def _key_name(text: str) -> str | None:
    tokens = _TOKEN.findall(text)
    return normalise(tokens[-1]) if tokens else None


def _last_name(callee: str) -> str:
    tokens = _TOKEN.findall(callee.rsplit("(", 1)[0] if callee.endswith(")") else callee)
    return tokens[-1] if tokens else ""


def _callee_and_args(call: SgNode) -> tuple[str | None, list[SgNode]]:
    children = call.children()
    lists = [c for c in children if c.kind() in _ARGUMENT_LISTS]
    if not lists:
        return None, []
    arguments = lists[-1]
    callee = call.text()[: max(0, arguments.range().start.index - call.range().start.index)]
    inner = [c for c in arguments.children() if c.is_named() and c.kind() not in COMMENTS]
    if len(inner) == 1 and inner[0].kind() == "value_arguments":  # Kotlin's call_suffix
        inner = [c for c in inner[0].children() if c.is_named()]
    return callee.strip(), [_unwrap(a) for a in inner]


_ARGUMENT_LISTS = ("argument_list", "arguments", "call_suffix", "annotation_argument_list")


def _string(node: SgNode) -> str:
    text = node.text().strip()
    for prefix in ("@", "$"):
        text = text.removeprefix(prefix)
    text = text.lstrip("rRbBfFuU") if text[:1] not in "\"'`" else text
    for quote in ('"""', "'''", '"', "'", "`"):
        if len(text) >= 2 * len(quote) and text.startswith(quote) and text.endswith(quote):
            return text[len(quote) : -len(quote)]
    return text


def _line(node: SgNode) -> int:
    return node.range().start.line + 1
