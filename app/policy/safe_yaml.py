"""Config YAML read within limits, every failure a ConfigError with a position.

A config is text anyone with a branch can write (a PR's own config is parsed to
show its errors), so reading it must be bounded: a few hundred bytes of nested
aliases ("billion laughs") expand to millions of values, and deep nesting can
exhaust the stack. The text is capped in size, and the parsed document is walked
once with a budget of values and a depth limit before anything expands it.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from app.policy.issues import ConfigError, ConfigIssue

MAX_BYTES = 256 * 1024
MAX_VALUES = 20_000  # a large org config has a few hundred
MAX_DEPTH = 32


def parse_yaml(text: str, source: str) -> CommentedMap:
    """YAML text to a position-keeping mapping; syntax errors become ConfigErrors."""
    if len(text) > MAX_BYTES:
        raise _error(source, 1, 1, f"the file is {len(text):,} characters; at most {MAX_BYTES:,}")
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        data = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (error.context, error.problem) if p)
        hint = "duplicate keys are not allowed" if "duplicate" in problem else None
        raise _error(source, line, column, f"YAML: {problem}", hint) from None
    except ReaderError as error:
        line, column = _position_of(text, error.position)
        code = error.character if isinstance(error.character, int) else ord(error.character[0])
        raise _error(
            source, line, column, f"YAML: character U+{code:04X} is not allowed", _PRINTABLE
        ) from None
    except TypeError:  # ruamel hashes complex keys, and a list inside one cannot be
        raise _error(source, 1, 1, "YAML: a key may not be a list or a mapping") from None
    except (YAMLError, RecursionError) as error:
        raise _error(source, 1, 1, f"YAML: {type(error).__name__}: {error}"[:300]) from None
    except (IndexError, ValueError, KeyError, AttributeError) as error:
        # ruamel's own slips on odd scalars (`[-_]`, `[._]` read as broken floats)
        raise _error(source, 1, 1, f"YAML that could not be read ({error})"[:300]) from None
    if data is None:
        raise _error(source, 1, 1, "the file is empty", "start it with `version: 1`")
    if not isinstance(data, CommentedMap):
        raise _error(source, 1, 1, "the top level must be a mapping", "start with version: 1")
    _check_bounds(data, source)
    return data


_PRINTABLE = "remove control characters; YAML allows tabs, newlines and printable text"


def _check_bounds(data: CommentedMap, source: str) -> None:
    """Walk the document as it would be expanded, stopping at the first limit."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    values = 0
    while stack:
        node, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            raise _error(
                source,
                *_line_of(node),
                f"the document expands to more than {MAX_VALUES:,} values",
                "aliases (*name) that repeat large anchors multiply the document",
            )
        if depth > MAX_DEPTH:
            raise _error(source, *_line_of(node), f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


def _line_of(node: Any) -> tuple[int, int]:
    if isinstance(node, CommentedMap | CommentedSeq):
        return node.lc.line + 1, node.lc.col + 1
    return 1, 1


def _position_of(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _error(
    source: str, line: int, column: int, message: str, hint: str | None = None
) -> ConfigError:
    return ConfigError([ConfigIssue(source, line, column, message, hint)])
