"""Reading config text into a Config, with errors that point at file:line:col.

ruamel.yaml keeps the position of every key and value; pydantic says which
path was wrong; this module joins the two and adds a hint (the closest valid
key, how YAML spells booleans, ...). Nothing here touches the filesystem or
the network: `extends:` is resolved through a function the caller passes in.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from app.policy.config import CONFIG_PATH, Config
from app.policy.defaults import DEFAULT_CONFIG_YAML
from app.policy.issues import ConfigError, ConfigIssue, ExtendsError
from app.policy.safe_yaml import parse_yaml

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "ExtendsError",
    "LoadedConfig",
    "default_config",
    "load_config",
    "parse_yaml",
]

MAX_EXTENDS_DEPTH = 3
Resolver = Callable[[str, str], "tuple[str, str]"]
"""(extends value, source of the file that names it) -> (text, source of that text)."""


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    config: Config
    sources: tuple[str, ...]  # the files it was built from, most specific first
    is_default: bool = False


@cache
def default_config() -> LoadedConfig:
    parsed = parse_yaml(DEFAULT_CONFIG_YAML, "<built-in defaults>")
    return LoadedConfig(validate(parsed, "<built-in defaults>"), ("<built-in defaults>",), True)


def load_config(
    text: str, source: str = CONFIG_PATH, resolve: Resolver | None = None
) -> LoadedConfig:
    """Parse and validate config text, merging the files it `extends`."""
    chain = _load_chain(text, source, resolve, depth=0)
    if len(chain) == 1:
        return LoadedConfig(validate(chain[0][0], source), (source,))
    merged: dict[str, Any] = {}
    for data, _ in reversed(chain):
        merged = merge(merged, plain(data))
    return LoadedConfig(validate(merged, source), tuple(src for _, src in chain))


def _load_chain(
    text: str, source: str, resolve: Resolver | None, depth: int
) -> list[tuple[CommentedMap, str]]:
    data = parse_yaml(text, source)
    validate(data, source)  # each file must be valid on its own
    extends = data.get("extends")
    if extends is None:
        return [(data, source)]
    line, column = _position(data, ("extends",), key=False)
    if resolve is None:
        raise ConfigError(
            [ConfigIssue(source, line, column, f"cannot resolve extends: {extends!r} here")]
        )
    if depth >= MAX_EXTENDS_DEPTH:
        raise ConfigError(
            [ConfigIssue(source, line, column, f"extends: nested more than {MAX_EXTENDS_DEPTH}")]
        )
    try:
        parent_text, parent_source = resolve(extends, source)
    except ExtendsError as error:
        raise ConfigError([ConfigIssue(source, line, column, str(error))]) from None
    return [(data, source), *_load_chain(parent_text, parent_source, resolve, depth + 1)]


def validate(data: Mapping[str, Any], source: str) -> Config:
    try:
        return Config.model_validate(plain(data))
    except ValidationError as error:
        issues = [_issue(data, source, detail) for detail in error.errors()]
        issues.sort(key=lambda i: (i.line, i.column))
        raise ConfigError(issues) from None


def plain(node: Any) -> Any:
    """ruamel's commented containers to plain dicts and lists (pydantic is strict about types)."""
    if isinstance(node, Mapping):
        return {str(k) if not isinstance(k, str) else k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Org defaults under a repo's file: a role is replaced whole, detectors and options
    merge key by key, so a repo can tune one option without restating the rest."""
    merged = dict(base)
    for key, value in override.items():
        if key == "roles" and isinstance(value, dict):
            merged["roles"] = {**base.get("roles", {}), **value}
        elif key == "detectors" and isinstance(value, dict):
            detectors = dict(base.get("detectors", {}))
            for name, settings in value.items():
                detectors[name] = {**detectors.get(name, {}), **settings}
            merged["detectors"] = detectors
        elif key == "options" and isinstance(value, dict):
            merged["options"] = {**base.get("options", {}), **value}
        elif key != "extends":
            merged[key] = value
    merged.pop("extends", None)
    return merged


# --- error positions and hints -------------------------------------------------------


def _issue(data: Mapping[str, Any], source: str, detail: ErrorDetails) -> ConfigIssue:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    path = _dotted(loc)
    if kind == "extra_forbidden":
        unknown = str(loc[-1])
        line, column = _position(data, loc, key=True)
        where = f" in {_dotted(loc[:-1])}" if len(loc) > 1 else ""
        return ConfigIssue(
            source, line, column, f"unknown key {unknown!r}{where}", _key_hint(loc, unknown)
        )
    if kind == "missing":
        line, column = _position(data, loc[:-1], key=False)
        return ConfigIssue(
            source, line, column, f"missing required key {path!r}", _missing_hint(loc)
        )
    line, column = _position(data, loc, key=loc[-1:] == ("[key]",))
    message = detail["msg"].removeprefix("Value error, ")
    return ConfigIssue(
        source, line, column, f"{path}: {message}" if path else message, _value_hint(detail)
    )


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif _is_type_tag(part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _is_type_tag(part: Any) -> bool:
    # pydantic adds union-member tags such as 'int', 'function-after[...]' to locs.
    return isinstance(part, str) and ("[" in part or part in {"int", "str", "list", "none"})


def _position(data: Mapping[str, Any], loc: tuple[Any, ...], *, key: bool) -> tuple[int, int]:
    """1-based (line, column) of the YAML node at `loc` (its key when `key`)."""
    node: Any = data
    best = (1, 1)
    parts = [p for p in loc if p != "[key]"]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if isinstance(node, CommentedMap) and part in node:
            line, column = node.lc.key(part) if (key and last) else node.lc.value(part)
            best = (line + 1, column + 1)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, column = node.lc.item(part)
            best = (line + 1, column + 1)
            node = node[part]
        elif _is_type_tag(part):
            continue
        else:
            if isinstance(node, CommentedMap | CommentedSeq) and index == 0:
                best = (node.lc.line + 1, node.lc.col + 1)
            break
    return best


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose fields are valid at `loc` (to suggest a key)."""
    annotation: Any = Config
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int) or part == "[key]" or _is_type_tag(part):
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unwrap(annotation: Any) -> Any:
    """list[X] -> X, X | None -> X; dicts stay (their keys are names, not fields)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is list:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = members[0] if len(members) == 1 else annotation
            if len(members) != 1:
                return annotation
        else:
            return annotation


def _key_hint(loc: tuple[Any, ...], unknown: str) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return "remove it"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(unknown, allowed, n=1, cutoff=0.6)
    listing = ", ".join(allowed)
    if close:
        return f"did you mean {close[0]!r}? allowed here: {listing}"
    return f"allowed here: {listing}"


def _missing_hint(loc: tuple[Any, ...]) -> str | None:
    if loc[-1] == "version":
        return "add `version: 1` at the top of the file"
    if loc[-1] == "when":
        return "say when the role is needed, e.g. `when: [{detector: migrations}]`"
    return None


def _value_hint(detail: ErrorDetails) -> str | None:
    kind = detail["type"]
    value = detail.get("input")
    if kind == "bool_type" and isinstance(value, str):
        return "YAML booleans are true or false (unquoted); yes/no/on/off are strings here"
    if kind in ("int_type", "int_parsing") and isinstance(value, str):
        return "write the number without quotes"
    if kind == "list_type" and isinstance(value, str):
        return f"write a list: [{value}]"
    if kind == "literal_error" and detail["loc"] == ("version",):
        return "the only config version is 1"
    if kind == "string_pattern_mismatch" and detail["loc"][-1:] == ("[key]",):
        return "role names are lowercase letters, digits, '-' and '_', e.g. release-manager"
    if kind == "string_pattern_mismatch":
        return "check the spelling: logins and team slugs use letters, digits and '-'"
    return None
