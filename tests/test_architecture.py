"""The tree keeps the shape of shared/architecture.md: arrows point inward only.

An `ast` walk over app/ (every import, including those inside functions):
- the pure core (detect, policy, report) imports nothing of the shell and no
  library that does I/O (squawk's one runner aside);
- no cycle between packages, and `jobs` imports nothing above it;
- every `Options` field is read somewhere outside the file that declares it;
- no function over 50 lines, no module over 400 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from app.policy.config import Options

APP = Path(__file__).resolve().parent.parent / "app"
CORE = {"detect", "policy", "report"}
SHELL = {"api", "web", "github", "local", "service", "jobs", "main", "cli"}
IO_LIBRARIES = {
    "httpx",
    "fastapi",
    "starlette",
    "uvicorn",
    "githubkit",
    "subprocess",
    "socket",
    "sqlite3",
    "psycopg",
    "psycopg_pool",
    "urllib",
    "requests",
    "aiohttp",
    "asyncio",
    "prometheus_client",
    "structlog",
    "os",
    "shutil",
    "tempfile",
}
# The one module of the core allowed to run a process: squawk is a native binary.
IO_ALLOWED = {
    ("detect/migrations/squawk.py", library) for library in ("subprocess", "shutil", "tempfile")
}
# What `jobs` may import besides itself: leaf modules that import nothing of ours.
JOBS_MAY_USE = {"jobs", "metrics"}
# Options declared before the code that reads them lands, each with its issue.
NOT_YET_READ: dict[str, str] = {}
MAX_FUNCTION_LINES = 50
MAX_MODULE_LINES = 400


def modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(APP).as_posix()


def package_of(path: Path) -> str:
    """The top-level part of app/ a module belongs to (`detect`, `main`, ...)."""
    return path.relative_to(APP).parts[0].removesuffix(".py")


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def imports(path: Path) -> Iterator[str]:
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "app":  # from app import x
                yield from (f"app.{alias.name}" for alias in node.names)
            else:
                yield node.module


def app_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "app" and len(parts) > 1 else None


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in modules():
        source = package_of(path)
        for module in imports(path):
            target = app_package(module)
            if target is not None and target != source:
                graph.setdefault(source, set()).add(target)
    return graph


def test_core_imports_nothing_of_the_shell_and_no_io_library() -> None:
    wrong = []
    for path in modules():
        if package_of(path) not in CORE:
            continue
        for module in imports(path):
            target = app_package(module)
            if target is not None and target in SHELL:
                wrong.append(f"{name_of(path)} imports {module} (the shell)")
            top = module.split(".")[0]
            if top in IO_LIBRARIES and (name_of(path), top) not in IO_ALLOWED:
                wrong.append(f"{name_of(path)} imports {module} (a library that does I/O)")
    assert wrong == []


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path (first node repeated at the end), or None."""
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt, node]
            if nxt not in state and (found := visit(nxt, [*trail, nxt])):
                return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_no_cycle_between_packages() -> None:
    assert find_cycle(package_graph()) is None


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_jobs_imports_nothing_above_it() -> None:
    assert package_graph().get("jobs", set()) <= JOBS_MAY_USE


def readers_of(field: str) -> list[str]:
    return [
        name_of(path)
        for path in modules()
        if name_of(path) != "policy/config.py"
        and any(
            isinstance(node, ast.Attribute) and node.attr == field for node in ast.walk(tree(path))
        )
    ]


@pytest.mark.parametrize("field", sorted(set(Options.model_fields) - set(NOT_YET_READ)))
def test_every_option_is_read(field: str) -> None:
    assert readers_of(field), f"options.{field} is declared but nothing reads it"


def test_options_waiting_for_their_code_are_still_waiting() -> None:
    """Once something reads it, a field leaves NOT_YET_READ (and the README says it
    works)."""
    for field in NOT_YET_READ:
        assert field in Options.model_fields
        assert readers_of(field) == [], f"options.{field} is read now: drop it from NOT_YET_READ"


def test_functions_and_modules_stay_small() -> None:
    too_long = []
    for path in modules():
        lines = len(path.read_text().splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{name_of(path)}: {lines} lines")
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{name_of(path)}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []
