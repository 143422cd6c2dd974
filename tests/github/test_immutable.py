"""The cache of answers about exact commits: bounded, least recently used first out."""

from __future__ import annotations

from app.github.immutable import ByCommit, is_sha


def test_only_full_shas_name_a_commit_for_good() -> None:
    assert is_sha("a" * 40)
    assert is_sha("0123456789abcdef" * 4)
    assert not is_sha("main")
    assert not is_sha("abc1234")
    assert not is_sha(None)
    assert not is_sha("A" * 40)  # GitHub writes SHAs in lower case


def test_bounded_by_size_least_recently_used_out() -> None:
    cache = ByCommit(max_bytes=400)
    for key in "abcd":
        cache.put(key, key.upper(), 100)
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("e", "E", 50)  # 450 bytes: b, the least recent, goes
    assert cache.get("b") is None
    assert [cache.get(k) for k in "acde"] == ["A", "C", "D", "E"]
    cache.put("huge", "X", 101)  # over a quarter of the bound: not kept at all
    assert cache.get("huge") is None
    assert len(cache) == 4
