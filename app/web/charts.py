"""The board's two pictures, computed here and drawn as inline SVG by the template
(no script, no image request): per role, the time from request to approval over the
last 90 days (median and p90), and per release, the roles pending each day."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from app.jobs.store.history import Wait

DAY = 86400.0
WINDOW_DAYS = 90
TREND_DAYS = 30


@dataclass(frozen=True, slots=True)
class Timing:
    role: str
    count: int
    median: float  # seconds
    p90: float


@dataclass(frozen=True, slots=True)
class Bar:
    """One role's row of the timing chart, in the SVG's coordinates."""

    timing: Timing
    y: int
    median_width: float
    p90_x: float


@dataclass(frozen=True, slots=True)
class Trend:
    release: str
    counts: tuple[int, ...]  # pending roles at the end of each day, oldest first
    points: str  # the polyline's points
    colour: str


WIDTH, LABEL, ROW = 560, 150, 28
PALETTE = ("#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df")


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timings(waits: list[Wait], now: float) -> list[Timing]:
    since = now - WINDOW_DAYS * DAY
    taken: dict[str, list[float]] = defaultdict(list)
    for wait in waits:
        if wait.approved_at is not None and wait.approved_at >= since:
            taken[wait.role].append(wait.approved_at - wait.requested_at)
    return [
        Timing(role, len(v), nearest_rank(v, 0.5), nearest_rank(v, 0.9))
        for role, v in sorted(taken.items())
    ]


def bars(found: list[Timing]) -> list[Bar]:
    longest = max((t.p90 for t in found), default=0.0) or 1.0
    scale = (WIDTH - LABEL - 80) / longest
    return [
        Bar(t, 10 + i * ROW, max(2.0, t.median * scale), LABEL + t.p90 * scale)
        for i, t in enumerate(found)
    ]


def trends(waits: list[Wait], now: float, releases: int = 5) -> list[Trend]:
    """Pending roles per release at the end of each of the last 30 days; the
    releases with the most pending now (at most five)."""
    ends = [now - (TREND_DAYS - 1 - d) * DAY for d in range(TREND_DAYS)]
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * TREND_DAYS)
    for wait in waits:
        for day, end in enumerate(ends):
            if wait.requested_at <= end and (wait.approved_at is None or wait.approved_at > end):
                counts[wait.release][day] += 1
    chosen = sorted(counts.items(), key=lambda kv: (-kv[1][-1], -max(kv[1]), kv[0]))[:releases]
    top = max((max(c) for _, c in chosen), default=0) or 1
    out = []
    for i, (release, series) in enumerate(chosen):
        step = (WIDTH - 40) / (TREND_DAYS - 1)
        points = " ".join(
            f"{30 + d * step:.1f},{110 - 100 * n / top:.1f}" for d, n in enumerate(series)
        )
        out.append(Trend(release, tuple(series), points, PALETTE[i % len(PALETTE)]))
    return out


def duration(seconds: float) -> str:
    """3 d 4 h, 5 h 12 min, 7 min, 40 s: how long, at a glance."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"
