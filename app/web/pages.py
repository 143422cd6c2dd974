"""The pages for people: `/` (what you can see), `/{owner}` and `/{owner}/{repo}`
(the readiness board; `?format=json` or `csv` for the same data), and
`/{owner}/{repo}/pull/{n}` (a pull request's details: its check run's details_url).
They read the journal only; GitHub is asked only what a login may see."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.jobs.store.history import StoredPull, Wait
from app.web import board as boards
from app.web import charts, details
from app.web.sessions import Viewer
from app.web.views import HEADERS, Pages

router = APIRouter(include_in_schema=False)
# GitHub's own rules for names: anything else (favicon.ico, a probe) is not a page
OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@router.get("/")
async def index(request: Request) -> Response:
    pages = Pages.of(request)
    if pages.sessions is None:
        return pages.off(request)
    found = await pages.viewer(request)
    if isinstance(found, Response):
        return pages.render(request, "index.html", viewer=None, owners={})
    viewer, readable = found
    owners: dict[str, list[str]] = {}
    for name in sorted(readable):
        owner, _, repo = name.partition("/")
        owners.setdefault(owner, []).append(repo)
    return pages.render(request, "index.html", viewer=viewer, owners=owners)


@router.get("/{owner}")
async def owner_board(request: Request, owner: str) -> Response:
    return await _board(request, owner, None)


@router.get("/{owner}/{repo}")
async def repo_board(request: Request, owner: str, repo: str) -> Response:
    return await _board(request, owner, repo)


async def _board(request: Request, owner: str, repo: str | None) -> Response:
    pages = Pages.of(request)
    if not OWNER.match(owner) or (repo is not None and not REPO.match(repo)):
        return pages.not_found(request)
    found = await pages.viewer(request)
    if isinstance(found, Response):
        return found
    viewer, readable = found
    prefix = f"{owner.lower()}/"
    allowed = {r for r in readable if r.startswith(prefix)}
    if repo is not None:
        allowed &= {f"{prefix}{repo.lower()}"}
    if not allowed:
        return pages.not_found(request, viewer)
    now = time.time()
    one = f"{owner}/{repo}" if repo is not None else None  # a repository's board asks for it only
    since = now - charts.WINDOW_DAYS * charts.DAY
    pulls = [p for p in await pages.store.open_pulls(owner, one) if p.repo in allowed]
    waits = [w for w in await pages.store.waits(owner, since, one) if w.repo in allowed]
    heads = [str(p.record.get("head_sha", "")) for p in pulls]
    suites = await pages.store.suites(owner, heads)
    title = f"{owner}/{repo}" if repo else owner
    # tens of milliseconds for hundreds of PRs: off the event loop the webhooks share
    return await asyncio.to_thread(
        _answer, pages, request, viewer, title, (pulls, waits, suites), now
    )


def _answer(
    pages: Pages,
    request: Request,
    viewer: Viewer,
    title: str,
    stored: tuple[list[StoredPull], list[Wait], dict[tuple[str, str], dict[str, str]]],
    now: float,
) -> Response:
    pulls, waits, suites = stored
    query = request.query_params
    filters = boards.Filters(
        role=query.get("role", ""),
        label=query.get("label", ""),
        author=query.get("author", ""),
        state=query.get("state", "") if query.get("state") in boards.STATES else "",
        group=query.get("group", "") if query.get("group") in boards.GROUPINGS else "release",
    )
    board = boards.build(title, pulls, waits, filters, now, suites)
    if request.query_params.get("format") == "json":
        return JSONResponse(boards.as_json(board, now), headers=HEADERS)
    if request.query_params.get("format") == "csv":
        return _csv(board, board.title)
    return pages.render(
        request,
        "board.html",
        viewer=viewer,
        board=board,
        now=now,
        states=boards.STATES,
        groupings=boards.GROUPINGS,
        bars=charts.bars(charts.timings(waits, now)),
        trends=charts.trends(waits, now),
        chart=charts,
    )


@router.get("/{owner}/{repo}/pull/{number}")
async def pull_details(request: Request, owner: str, repo: str, number: int) -> Response:
    pages = Pages.of(request)
    if not OWNER.match(owner) or not REPO.match(repo):
        return pages.not_found(request)
    found = await pages.viewer(request)
    if isinstance(found, Response):
        return found
    viewer, readable = found
    name = f"{owner}/{repo}".lower()
    pull = await pages.store.pull(name, number) if name in readable else None
    if pull is None:
        return pages.not_found(request, viewer)
    history = await pages.store.evaluations(name, number)
    waits = await pages.store.pull_waits(name, number)
    if request.query_params.get("format") == "json":
        return JSONResponse(details.as_json(pull, history, waits), headers=HEADERS)
    view = details.build(pull, history, waits)
    return pages.render(request, "details.html", viewer=viewer, pull=view, now=time.time())


def _csv(board: boards.Board, title: str) -> Response:
    header, lines = boards.csv_rows(board)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in line] for line in lines)
    filename = re.sub(r"[^A-Za-z0-9._-]", "-", title) + ".csv"
    headers = HEADERS | {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _cell(value: str) -> str:
    # a cell a spreadsheet would run as a formula (a PR title is anyone's text)
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
