"""Noise from real release histories (bench_noise.py): dependencies that move between
files, and lockfiles a change introduces, are not new dependencies."""

from __future__ import annotations

import textwrap

import pytest

from app.detect.base import Change, ChangedFile, FileStatus
from app.detect.dependencies.parsers import setup_py
from app.detect.dependencies.parsers.common import NotDeclaredError
from tests.detect.dependencies.helpers import DETECTOR, changes, modified

SETUP = textwrap.dedent(
    """\
    from setuptools import setup

    REQUIRES = ["click>=8.0", "colorama; platform_system == 'Windows'"]

    setup(
        name="shop",
        install_requires=REQUIRES,
        extras_require={"test": ["pytest>=7"], "fast": ["orjson>=3"]},
    )
    """
)
PYPROJECT = textwrap.dedent(
    """\
    [project]
    name = "shop"
    dependencies = ["click>=8.0", "colorama; platform_system == 'Windows'"]

    [project.optional-dependencies]
    test = ["pytest>=7"]
    fast = ["orjson>=3"]
    """
)


def removed(path: str, base: str) -> ChangedFile:
    return ChangedFile(path=path, status=FileStatus.REMOVED, base_loader=lambda _p: base)


def added_file(path: str, head: str) -> ChangedFile:
    lines = list(enumerate(head.split("\n"), start=1))
    return ChangedFile(path=path, status=FileStatus.ADDED, added=lines, additions=len(lines))


def test_setup_py_is_read_by_its_syntax_never_run() -> None:
    parsed = setup_py(SETUP)
    assert {name: (dep.version, dep.dev) for name, dep in parsed.items()} == {
        "click": (">=8.0", False),
        "colorama": ("*", False),
        "pytest": (">=7", True),
        "orjson": (">=3", False),
    }
    assert parsed["click"].line == 3  # where the list writes it


@pytest.mark.parametrize(
    "computed",
    [
        "from setuptools import setup\nsetup(install_requires=read('requirements.txt'))\n",
        "import setuptools\nsetuptools.setup(install_requires=[f'x>={V}'])\n",
        "print('no setup call here')\n",
        "def broken(:\n",
        # a list changed after it is written: its first assignment is not what setup sees
        "from setuptools import setup\nDEPS = ['a']\nDEPS.append('b')\nsetup(install_requires=DEPS)\n",
        "from setuptools import setup\nDEPS = ['a']\nDEPS += ['b']\nsetup(install_requires=DEPS)\n",
        "from setuptools import setup\nDEPS = ['a']\nDEPS = ['a', 'b']\nsetup(install_requires=DEPS)\n",
        "from setuptools import setup\nsetup(install_requires=UNKNOWN)\n",
    ],
)
def test_a_setup_py_that_computes_its_dependencies_is_not_read(computed: str) -> None:
    with pytest.raises(NotDeclaredError):
        setup_py(computed)
    [finding] = DETECTOR.detect(
        [modified("setup.py", computed, computed + "\n")], DETECTOR.settings_model()
    )
    assert finding.rule == "dependency.manifest-changed"


def test_moving_from_setup_py_to_pyproject_adds_nothing() -> None:
    assert changes(removed("setup.py", SETUP), added_file("pyproject.toml", PYPROJECT)) == {}


def test_a_lockfile_the_change_adds_pins_what_was_asked_for() -> None:
    lock = textwrap.dedent(
        """\
        version = 1
        [[package]]
        name = "click"
        version = "8.1.8"
        [[package]]
        name = "markupsafe"
        version = "3.0.2"
        """
    )
    found = DETECTOR.detect([added_file("uv.lock", lock)], DETECTOR.settings_model())
    [finding] = found
    assert finding.rule == "dependency.lockfile-added"
    assert finding.severity.label == "info"
    assert finding.change == Change.OTHER  # no `changes: [added]` filter matches it
    assert "2 pypi packages pinned" in finding.message


def test_a_range_now_locked_inside_it_is_no_bump_but_a_new_entry_still_counts() -> None:
    base = '[project]\nname = "shop"\ndependencies = ["importlib-metadata>=3.6"]\n'
    head = (
        '[project]\nname = "shop"\n'
        'dependencies = ["importlib-metadata>=3.6.0", "markupsafe>=2.1"]\n'
    )
    lock = (
        'version = 1\n[[package]]\nname = "importlib-metadata"\nversion = "8.7.0"\n'
        '[[package]]\nname = "markupsafe"\nversion = "3.0.2"\n'
    )
    found = changes(modified("pyproject.toml", base, head), added_file("uv.lock", lock))
    assert found["importlib-metadata"][0] == Change.OTHER  # >=3.6 always allowed 8.7.0
    assert found["markupsafe"] == (Change.ADDED, None, "3.0.2")  # newly asked for
