"""Fuzz targets shared by the test suite (hypothesis, a few hundred inputs) and
bench/bench_fuzz.py (over 100,000 seeded inputs): what each parser at the edge may
answer, and the mutations that make near-valid input from real samples.

Each target takes one input and returns normally when the code under test answered
as it promises (a result, or the one error it documents). Anything else propagates:
that is a crash.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable
from pathlib import Path

from app.detect.base import ChangedFile, FileStatus
from app.detect.dependencies import DependenciesDetector
from app.detect.dependencies.formats import format_of
from app.detect.dependencies.parsers import UnreadableError, safely
from app.detect.diff import parse_git_diff
from app.detect.registry import run_detectors
from app.github.events import BadDeliveryError, route
from app.policy.evaluate import evaluate
from app.policy.facts import PullFacts
from app.policy.loading import ConfigError, default_config, load_config

FIXTURES = Path(__file__).parent / "fixtures"
_DEPENDENCIES = DependenciesDetector()
SAMPLE_DIFF = (FIXTURES / "diffs/sample.diff").read_text()
SAMPLE_CONFIG = """\
version: 1
roles:
  dba:
    reviewers: {teams: [dba], users: [octocat]}
    approvals: 2
    when:
      - {detector: migrations, min_severity: medium}
      - {paths: ["db/**"], paths_ignore: ["db/seeds/**"]}
    unless: [{labels: [trivial-migration]}]
    checklist: ["Rollback plan tested"]
  qa:
    when: [{lines_changed: {gt: 400}}, {content: "TODO|FIXME"}]
    stale_approvals: any_push
overrides: {by: {teams: [release-managers]}, reason_required: true}
options: {check_name: Gate, stale_approvals: relevant, allow_contributors: false}
"""
# Each is also compared, mutated, with itself as it was: the lockfile-origin and
# package-source readers run on the mutated text as well as the parser.
LOCKFILES = {
    "package-lock.json": FIXTURES / "deps/npm/head/package-lock.json",
    "yarn.lock": FIXTURES / "deps/npm/head/yarn.lock",
    "berry/yarn.lock": FIXTURES / "deps/npm/head/berry/yarn.lock",
    "pnpm-lock.yaml": FIXTURES / "deps/npm/head/pnpm-lock.yaml",
    "uv.lock": FIXTURES / "deps/pypi/head/uv.lock",
    "poetry.lock": FIXTURES / "deps/pypi/head/poetry.lock",
    "requirements.txt": FIXTURES / "deps/pypi/head/requirements.txt",
    "pyproject.toml": FIXTURES / "deps/pypi/head/pyproject.toml",
    **{
        path.name: path
        for path in sorted((FIXTURES / "deps/other").iterdir())
        if path.name not in (".npmrc", "pip.conf", "pom.xml", "build.gradle.kts")
    },
}
# Files only the package-source reader (and some a parser) reads.
SOURCE_CONFIGS = {
    name: FIXTURES / "deps/other" / name
    for name in (".npmrc", "pip.conf", "pom.xml", "build.gradle.kts")
}
ODD = ["", "\x00", "\f", "\v", "\u2028", "\x85", "\r", "\t", "\\", '"', "'", "{", "[", "*", "&"]


def mutate(text: str, rng: random.Random, edits: int = 3) -> str:
    """`text` with a few bytes inserted, deleted or swapped for odd ones, or cut short."""
    chars = list(text)
    for _ in range(edits):
        if not chars:
            chars = list(rng.choice(ODD))
            continue
        at = rng.randrange(len(chars))
        action = rng.randrange(4)
        if action == 0:
            chars.insert(at, rng.choice(ODD) or chr(rng.randrange(32, 0x2FFF)))
        elif action == 1:
            del chars[at]
        elif action == 2:
            chars[at] = rng.choice(ODD) or chr(rng.randrange(1, 0x2FFF))
        else:
            del chars[at:]
    return "".join(chars)


def diff_target(text: str) -> None:
    """A diff parses into files (the unreadable ones marked), and detection and policy
    run over them."""
    files = parse_git_diff_or_refusal(text)
    findings = run_detectors(files, {})
    evaluate(default_config().config, files, findings, PullFacts())


def parse_git_diff_or_refusal(text: str) -> list:  # type: ignore[type-arg]
    from app.detect.diff import DiffError

    try:
        return parse_git_diff(text)
    except DiffError:  # text that is not a diff at all, said so
        return []


def auth_sources() -> list[tuple[str, str]]:
    """(path, code) of every labelled auth snippet, in each language the rules read."""
    from bench.bench_auth_labels import CASES, HELD_OUT, PATHS, cases

    every = cases(CASES) + [c for d in sorted(HELD_OUT.iterdir()) for c in cases(d)]
    return [(PATHS[c.language], c.code) for c in every]


def auth_target(path: str, code: str) -> None:
    """Source code, however broken, goes through the auth detector's line and syntax
    rules (tree-sitter parses anything) and comes out as findings."""
    from app.detect.base import ChangedFile, FileStatus
    from app.detect.registry import DETECTORS

    lines = list(enumerate(code.split("\n"), start=1))
    changed = ChangedFile(path, FileStatus.ADDED, added=lines, additions=len(lines))
    detector = DETECTORS["auth"]
    assert isinstance(detector.detect([changed], detector.settings_model()), list)


def config_target(text: str) -> None:
    try:
        load_config(text, "fuzz.yml")
    except ConfigError as error:
        issues = error.issues
    else:
        return
    assert issues, "a ConfigError names at least one issue"
    assert all(issue.line >= 1 and issue.column >= 1 for issue in issues)


def lockfile_target(name: str, text: str) -> None:
    """The parser on `text`, then the whole dependencies detector on the file changed
    from its sample to `text` and back (origins and sources compare both sides)."""
    found = format_of(name)
    if found is not None and found.parse is not None:
        with contextlib.suppress(UnreadableError):
            assert isinstance(safely(found.parse, text), dict)
    sample = (LOCKFILES.get(name) or SOURCE_CONFIGS[name]).read_text()
    for before, after in ((sample, text), (text, sample)):
        changed = ChangedFile(
            path=name,
            status=FileStatus.MODIFIED,
            added=[(1, "x")],
            base_loader=lambda _p, t=before: t,
            head_loader=lambda _p, t=after: t,
        )
        for finding in _DEPENDENCIES.detect([changed], _DEPENDENCIES.settings_model()):
            assert finding.rule.startswith("dependency.")


def delivery_target(event: str, payload: object) -> None:
    if not isinstance(payload, dict):
        return
    try:
        routed = route(event, payload, 4242)
    except BadDeliveryError as error:
        reason = str(error)
    else:
        for job in routed.jobs:
            assert job.key
        return
    assert reason, "a refusal says why"


def swap_values(body: object, rng: random.Random) -> object:
    """A copy of a payload with one nested value replaced by one of another type."""
    odd: list[object] = [None, 0, -1, 2**70, 1.5, "", "x\x00", [], {}, True, [None], {"id": None}]
    copy = json.loads(json.dumps(body))
    node = copy
    while isinstance(node, dict) and node:
        key = rng.choice(sorted(node))
        if not isinstance(node[key], dict) or rng.random() < 0.3:
            node[key] = rng.choice(odd)
            break
        node = node[key]
    return copy


Target = Callable[[random.Random], None]
