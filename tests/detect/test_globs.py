"""Globs: matching, rejection of bad ones, and the prefilter checked against wcmatch."""

from __future__ import annotations

import pytest

# The literal-token prefilter must never change an answer: check GlobSet against
# wcmatch's own globmatch on generated paths, for every built-in glob.
from hypothesis import given, settings
from hypothesis import strategies as st
from wcmatch import glob as wcglob

from app.detect import migrations, pathrules
from app.detect.auth.detector import AUTH_RULES
from app.detect.dependencies.formats import FORMATS
from app.detect.globs import GlobError, GlobSet, check_glob
from app.detect.infra.detector import INFRA_RULES
from app.detect.secrets.detector import SECRET_RULES


def test_globset_matches_globstar_braces_and_names_the_glob() -> None:
    globs = GlobSet(["db/**", "**/*.{sql,prisma}"])
    assert globs.match("db/x/y.rb")
    assert globs.match("schema.sql")
    assert globs.match("a/b.prisma")
    assert not globs.match("src/db.rb")
    assert globs.first_match("a/b.sql") == "**/*.{sql,prisma}"


def test_trailing_slash_means_everything_below() -> None:
    assert GlobSet(["infra/"]).match("infra/main.tf")


@pytest.mark.parametrize("glob", ["", "/db/**", "./db", "db\\migrate\\*.rb", "db/[abc", "{a,b"])
def test_bad_globs_are_rejected(glob: str) -> None:
    with pytest.raises(GlobError):
        check_glob(glob)


_ALL_GLOBS = sorted(
    {g for fw in migrations.FRAMEWORKS for g in fw.globs.patterns}
    | set(migrations.SCHEMA_FILES.patterns)
    | {g for fmt in FORMATS for g in fmt.globs.patterns}
    | {g for r in AUTH_RULES + SECRET_RULES + INFRA_RULES for g in r.globs.patterns}
    | set(pathrules.NOT_CODE.patterns)
)


_SEGMENTS = st.sampled_from(
    [
        "db",
        "migrate",
        "migrations",
        "versions",
        "auth",
        "Auth",
        "src",
        ".github",
        "workflows",
        "0001_init.py",
        "V1__x.sql",
        "package-lock.json",
        "Gemfile",
        "x.tf",
        "login.ts",
        "a",
        ".env",
        "id_rsa",
        "up.sql",
        "20261101_x.rb",
        "Dockerfile",
        "docs",
        "test_a.py",
        "k8s",
    ]
)


_FLAGS = wcglob.GLOBSTAR | wcglob.BRACE | wcglob.DOTGLOB


_ORACLES = {
    (glob, case): (
        GlobSet([glob], ignore_case=case),
        wcglob.compile(glob, flags=_FLAGS | (wcglob.IGNORECASE if case else 0)),
    )
    for glob in _ALL_GLOBS
    for case in (False, True)
}


@settings(max_examples=150, deadline=None)
@given(st.lists(_SEGMENTS, min_size=1, max_size=5), st.booleans())
def test_globset_agrees_with_wcmatch(segments: list[str], ignore_case: bool) -> None:
    path = "/".join(segments)
    for glob in _ALL_GLOBS:
        ours, oracle = _ORACLES[glob, ignore_case]
        assert ours.match(path) == oracle.match(path), (glob, path)
