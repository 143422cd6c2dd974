"""Never a crash at the edges: diffs, configs, lockfiles and deliveries, random and
near-valid, each answered as promised (bench/bench_fuzz.py runs the same targets on
over 100,000 inputs)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import (
    LOCKFILES,
    SAMPLE_CONFIG,
    SAMPLE_DIFF,
    SOURCE_CONFIGS,
    auth_sources,
    auth_target,
    config_target,
    delivery_target,
    diff_target,
    lockfile_target,
    mutate,
    swap_values,
)
from tests.harness import WEBHOOKS, payload

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(text=st.text(max_size=600))
def test_random_text_as_a_diff(text: str) -> None:
    diff_target("diff --git a/x b/x\n" + text)


@FAST
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 12))
def test_mutated_real_diffs(seed: int, edits: int) -> None:
    diff_target(mutate(SAMPLE_DIFF, random.Random(seed), edits))


@FAST
@given(text=st.text(max_size=400))
def test_random_text_as_a_config(text: str) -> None:
    config_target(text)


@FAST
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 8))
def test_mutated_real_configs(seed: int, edits: int) -> None:
    config_target(mutate(SAMPLE_CONFIG, random.Random(seed), edits))


@pytest.mark.parametrize("name", sorted(LOCKFILES | SOURCE_CONFIGS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32))
def test_mutated_real_lockfiles(name: str, seed: int) -> None:
    sample = (LOCKFILES | SOURCE_CONFIGS)[name].read_text()
    lockfile_target(name, mutate(sample, random.Random(seed), 6))


SOURCES = auth_sources()


@FAST
@given(seed=st.integers(0, 2**32), edits=st.integers(1, 12))
def test_mutated_code_through_the_auth_rules(seed: int, edits: int) -> None:
    rng = random.Random(seed)
    path, code = rng.choice(SOURCES)
    auth_target(path, mutate(code, rng, edits))


EVENTS = sorted(p.stem for p in WEBHOOKS.glob("*.json"))


@pytest.mark.parametrize("name", EVENTS)
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_mutated_real_deliveries(name: str, seed: int) -> None:
    delivery_target(name.split(".")[0], swap_values(payload(name), random.Random(seed)))
