"""What GitHub answers about an exact commit never changes: a file's text at a SHA, a
pull request's file list for a head and base SHA. Kept here, bounded by size, so a
re-evaluation (a review, a label, a comment) asks GitHub again only for what can have
moved: the pull request itself and its reviews.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
MAX_BYTES = 32 * 1024 * 1024


def is_sha(ref: str | None) -> bool:
    """A full commit SHA (a branch name or a short SHA can move)."""
    return ref is not None and SHA.fullmatch(ref) is not None


class ByCommit:
    """An LRU of answers keyed by what names them exactly, at most `max_bytes` of them
    (as the caller sizes them)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._max = max_bytes
        self._bytes = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()  # gateways are shared by the worker's tasks

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self._max // 4:
            return  # one answer must not push out everything else
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self._max:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._items)
