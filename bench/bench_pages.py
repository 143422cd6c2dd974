"""The pages' cost: the readiness board for 500 open pull requests, through the app's
own stack (FastAPI, the journal, Jinja2), logged in, on SQLite and on Postgres.

Fills a journal with 500 open PRs across 10 repositories (2 to 5 required roles each,
up to 12 findings, the JSON report's shape) and 3,000 approvals of the last 90 days
(the timing chart), then times GET /acme (HTML, JSON, CSV), a repository's board
and a details page, and counts the GitHub calls those views made (target: 0, and
the board under 200 ms).

    python bench/bench_pages.py                 # SQLite, and Postgres if reachable
    python bench/bench_pages.py --rounds 50
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.jobs.store import Journal, open_journal  # noqa: E402
from app.jobs.store.history import Evaluation  # noqa: E402
from app.main import create_app  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.harness import fake_gateway, fake_users, pages_settings, settings  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
ROLES = ("dba", "security", "sre", "qa", "release")
STATES = ("waiting", "waiting", "approved", "blocked", "overridden")
REPOS = 10
OPEN = 500
APPROVALS = 3000
DAY = 86400.0


def finding(rng: random.Random, n: int) -> dict[str, Any]:
    kind = rng.choice(("migration", "dependency", "auth", "infra", "secret"))
    out = {
        "kind": kind,
        "file": f"src/module_{n}/{kind}_{rng.randrange(100)}.py",
        "line": rng.randrange(1, 400),
        "severity": rng.choice(("critical", "high", "medium", "low")),
        "rule": f"{kind}.rule-{rng.randrange(20)}",
        "message": f"a {kind} finding with a sentence of explanation, number {n}",
    }
    if kind == "dependency":
        out |= {"ecosystem": "pypi", "package": f"pkg{n}", "from": "1.2.0", "to": "2.0.0"}
    return out


def record(rng: random.Random, repo: str, number: int) -> tuple[dict[str, Any], list[str]]:
    findings = [finding(rng, i) for i in range(rng.randrange(1, 13))]
    roles = []
    for key in rng.sample(ROLES, rng.randrange(2, 6)):
        state = rng.choice(STATES)
        roles.append(
            {
                "name": key,
                "display_name": key.upper(),
                "required": True,
                "approved": state in ("approved", "overridden"),
                "state": state,
                "approvals_needed": 1,
                "approved_by": ["dana"] if state == "approved" else [],
                "missing": 0 if state == "approved" else 1,
                "changes_requested_by": ["sam"] if state == "blocked" else [],
                "stale_approvals": [],
                "contributor_approvals": [],
                "overridden": (
                    {"by": "rita", "reason": "hotfix", "at": time.time()}
                    if state == "overridden"
                    else None
                ),
                "reviewers": {"teams": [key], "users": []},
                "checklist": [{"item": "Rollback tested", "checked": False}],
                "reasons": rng.sample(findings, min(3, len(findings))),
                "waived_by": [],
            }
        )
    pending = [r["name"] for r in roles if not r["approved"]]
    data = {
        "repo": repo,
        "number": number,
        "title": f"Change number {number} to the {rng.choice(ROLES)} paths",
        "author": rng.choice(("alice", "bob", "carol", "dave")),
        "base_ref": rng.choice(("main", "release/2.4", "release/2.5")),
        "milestone": rng.choice((None, "v2.4", "v2.5")),
        "labels": rng.sample(["db", "security", "infra", "hotfix"], rng.randrange(0, 3)),
        "draft": False,
        "html_url": f"https://github.com/{repo}/pull/{number}",
        "head_sha": uuid.uuid4().hex + "abcdefgh",
        "base_sha": uuid.uuid4().hex + "abcdefgh",
        "conclusion": "in_progress" if pending else "success",
        "summary": f"Waiting for {', '.join(pending)}" if pending else "Approved",
        "decision": {
            "roles": roles,
            "findings": findings,
            "summary": {"conclusion": "waiting", "required": [r["name"] for r in roles]},
            "notes": [],
        },
    }
    return data, pending


async def fill(journal: Journal, rng: random.Random) -> None:
    now = time.time()
    for i in range(APPROVALS):  # finished waits of the last 90 days: the timing chart
        repo, number = f"acme/repo{i % REPOS}", 10_000 + i
        data, _ = record(rng, repo, number)
        asked = now - rng.uniform(1, 89) * DAY
        role = rng.choice(ROLES)
        await journal.save_evaluation(Evaluation(repo, number, data, pending=(role,)), asked)
        done = asked + rng.expovariate(1 / 20_000)
        await journal.save_evaluation(Evaluation(repo, number, data, approved=(role,)), done)
        await journal.close_pull(repo, number, "merged")
    for n in range(OPEN):
        repo = f"acme/repo{n % REPOS}"
        data, pending = record(rng, repo, n + 1)
        at = now - rng.uniform(0, 20) * DAY
        await journal.save_evaluation(Evaluation(repo, n + 1, data, tuple(pending)), at)


async def measure(database_url: str, rounds: int) -> dict[str, Any]:
    journal = open_journal(database_url)
    await journal.open()
    started = time.perf_counter()
    await fill(journal, random.Random(7))
    filled = time.perf_counter() - started
    await journal.close()  # the app opens its own, as a server would
    fake = FakeGitHub()
    for r in range(REPOS):
        fake.repo("acme", f"repo{r}", {"README.md": "x\n"}).collaborators.add("dana")
    chosen = settings(database_url, **pages_settings(fake))
    app = create_app(chosen, gateway=fake_gateway(fake), users=fake_users(fake))
    figures: dict[str, Any] = {"fill_s": filled}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://app") as client:
            token = "ghu_bench"
            fake.user_tokens[token] = "dana"
            cookie = await app.state.pages.sessions.start("dana", token)
            client.headers["Cookie"] = f"rr_session={cookie}"
            await client.get("/acme")  # what dana can read: asked once a minute
            before = len(fake.requests)
            for name, path in (
                ("owner board, HTML (500 PRs)", "/acme"),
                ("owner board, JSON", "/acme?format=json"),
                ("owner board, CSV", "/acme?format=csv"),
                ("repository board (50 PRs)", "/acme/repo3"),
                ("details page", "/acme/repo3/pull/4"),
            ):
                times = []
                for _ in range(3 + rounds):
                    t0 = time.perf_counter()
                    answer = await client.get(path)
                    times.append(time.perf_counter() - t0)
                    assert answer.status_code == 200, (path, answer.status_code)
                times = sorted(times[3:])
                figures[name] = (
                    statistics.median(times),
                    times[int(0.95 * (len(times) - 1))],
                    len(answer.content),
                )
            figures["github_calls"] = len(fake.requests) - before
    return figures


def postgres_schema() -> str | None:
    try:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return f"{PG_URL}?options=-csearch_path%3D{schema}"
    except Exception as error:
        print(f"(Postgres skipped: {error})")
        return None


def drop(url: str) -> None:
    import psycopg

    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        backends = [("SQLite", f"sqlite:///{scratch}/pages.db")]
        pg = postgres_schema()
        if pg:
            backends.append(("Postgres", pg))
        print(f"{OPEN} open PRs in {REPOS} repositories, {APPROVALS} approvals in 90 days")
        print("| journal | page | median ms | p95 ms | KB |")
        print("|---|---|---:|---:|---:|")
        try:
            for label, url in backends:
                figures = asyncio.run(measure(url, args.rounds))
                for name, value in figures.items():
                    if isinstance(value, tuple):
                        median, p95, size = value
                        row = f"| {median * 1000:.1f} | {p95 * 1000:.1f} | {size / 1024:.0f} |"
                        print(f"| {label} | {name} {row}")
                print(
                    f"({label}: filled in {figures['fill_s']:.1f} s; "
                    f"GitHub calls during the views: {figures['github_calls']})"
                )
        finally:
            if pg:
                drop(pg)


if __name__ == "__main__":
    main()
