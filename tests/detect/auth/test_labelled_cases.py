"""The labelled auth cases of bench/bench_auth_labels.py hold: a regression guard on
what the benchmark measures (recall at medium+ and false alarms), every set at once."""

from __future__ import annotations

from bench.bench_auth_labels import CASES, HELD_OUT, cases, detect, flagged


def test_every_case_file_parses_and_the_sets_are_big_enough() -> None:
    written = cases(CASES)
    assert sum(c.risky for c in written) >= 150
    assert sum(not c.risky for c in written) >= 150
    assert len({c.language for c in written}) >= 7
    assert all(cases(d) for d in HELD_OUT.iterdir() if d.is_dir())


def test_recall_and_false_alarms_on_all_labelled_cases() -> None:
    every = cases(CASES) + [c for d in sorted(HELD_OUT.iterdir()) for c in cases(d)]
    risky = [c for c in every if c.risky]
    safe = [c for c in every if not c.risky]
    missed = [c.title for c in risky if not flagged(detect(c))]
    false = [c.title for c in safe if flagged(detect(c))]
    assert len(missed) <= 0.05 * len(risky), missed
    assert false == []
