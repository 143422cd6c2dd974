"""Whatever a dependency file holds, its parser returns packages or says it could not
read the file (UnreadableError): never another exception. Hypothesis feeds each
parser random text and near-valid variants of a real file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.detect.dependencies.formats import FORMATS
from app.detect.dependencies.parsers import UnreadableError, safely

DEPS = Path(__file__).parent.parent.parent / "fixtures/deps"
SAMPLES = {
    "package-lock.json": (DEPS / "npm/head/package-lock.json").read_text(),
    "yarn.lock": (DEPS / "npm/head/yarn.lock").read_text(),
    "pnpm-lock.yaml": (DEPS / "npm/head/pnpm-lock.yaml").read_text(),
    "uv.lock": (DEPS / "pypi/head/uv.lock").read_text(),
    "requirements.txt": (DEPS / "pypi/head/requirements.txt").read_text(),
    "pyproject.toml": (DEPS / "pypi/head/pyproject.toml").read_text(),
    # the workspace's crate lists what it asks for, a crate is locked at two versions
    "Cargo.lock": (
        'version = 3\n\n[[package]]\nname = "app"\nversion = "0.1.0"\n'
        'dependencies = [\n "serde",\n "syn 2.0.60",\n]\n\n'
        '[[package]]\nname = "serde"\nversion = "1.0.203"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
        '[[package]]\nname = "syn"\nversion = "1.0.109"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n\n'
        '[[package]]\nname = "syn"\nversion = "2.0.60"\n'
        'source = "registry+https://github.com/rust-lang/crates.io-index"\n'
    ),
    "setup.py": (
        "from setuptools import setup\nREQUIRES = ['click>=8', 'rich; python_version > \"3.8\"']\n"
        "setup(name='x', install_requires=REQUIRES, extras_require={'test': ['pytest']})\n"
    ),
}
PARSE = {f.parse.__name__: f.parse for f in FORMATS if f.parse is not None}


def survives(parse, text: str) -> None:  # type: ignore[no-untyped-def]
    try:
        result = safely(parse, text)
    except UnreadableError:
        return
    assert isinstance(result, dict)


@pytest.mark.parametrize("name", sorted(PARSE))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=400))
def test_random_text(name: str, text: str) -> None:
    survives(PARSE[name], text)


@pytest.mark.parametrize("path", sorted(SAMPLES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_truncated_and_corrupted_real_files(path: str, data: st.DataObject) -> None:
    text = SAMPLES[path]
    cut = data.draw(st.integers(0, len(text)))
    noise = data.draw(st.text(max_size=20))
    parse = next(f.parse for f in FORMATS if f.parse and f.globs.match(path))
    survives(parse, text[:cut] + noise + text[cut : cut + 200])


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("composer.lock", '{"packages": ["not an object"]}'),
        ("packages.lock.json", '{"dependencies": {"net8.0": "oops"}}'),
        ("package-lock.json", '{"packages": {"node_modules/a": {"version": 3}}}'),
    ],
)
def test_surprising_structures_are_unreadable_not_crashes(path: str, text: str) -> None:
    parse = next(f.parse for f in FORMATS if f.parse and f.globs.match(path))
    survives(parse, text)
