"""The web app: `create_app()` for tests and `app` for uvicorn.

The lifespan opens the journal and starts the in-process workers (unless
WORKER_IN_PROCESS=false: then `release-roles worker` processes run them, see
`run_worker`); shutdown stops the workers first so no job is left half-written.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from starlette.types import ASGIApp

from app.api import health, webhooks
from app.github.gateway import Gateway, retry_policy
from app.github.users import Users
from app.jobs.child import WorkerChild
from app.jobs.model import Outcome
from app.jobs.store import Journal, open_journal
from app.jobs.worker import Worker
from app.logs import configure
from app.metrics import Metrics
from app.service import recovery
from app.service.evaluator import Evaluator
from app.service.warmup import warm_up
from app.settings import Settings, load_settings
from app.web import login
from app.web import pages as web_pages
from app.web.sessions import Sessions
from app.web.views import Pages, environment

log = structlog.get_logger()
# A standalone worker learns of new jobs by polling the journal this often.
STANDALONE_POLL_SECONDS = 0.2
WORKER_SWITCH_SECONDS = 0.0002


def create_app(
    settings: Settings | None = None,
    *,
    gateway: Gateway | None = None,
    journal: Journal | None = None,
    users: Users | None = None,
    child: WorkerChild | None = None,
) -> FastAPI:
    settings = settings or load_settings()
    configure(settings.log_level)
    gateway = gateway or default_gateway(settings)
    journal = journal or open_journal(settings.database_url)
    metrics = Metrics()
    worker = build_worker(settings, gateway, journal, metrics)
    app = _App(
        title="Release Roles",
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
        # no OpenTelemetry here: FastAPI's check for it cost every delivery 16 µs
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.journal = journal
    app.state.worker = worker
    # who evaluates what the receiver queues: this process's worker loops, or serve's
    # worker child process (woken by a signal)
    app.state.child = child
    app.state.wake = child.wake if child is not None else worker.wake
    app.state.gateway = gateway
    app.state.metrics = metrics
    app.state.warmed = asyncio.Event()  # /readyz waits for it
    app.state.pages = build_pages(settings, journal, users)
    app.include_router(health.router)
    app.include_router(login.router)
    app.include_router(web_pages.router)  # last: /{owner} must not shadow the routes above
    return app


class _App(FastAPI):
    """FastAPI with `POST /webhooks` answered before any of its middleware: the error,
    telemetry and body-limit layers wrapped every delivery's `send` and `receive` (about
    a tenth of the receiver's CPU per delivery, bench_probot). The receiver refuses
    oversized bodies itself; an exception in it is answered 500 by uvicorn, as by
    Starlette's error layer."""

    def build_middleware_stack(self) -> ASGIApp:
        return webhooks.WebhookReceiver(super().build_middleware_stack())


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state = app.state
    await state.journal.open()
    if state.settings.worker_in_process:
        state.worker.start()
        state.worker.wake()  # jobs accepted before a crash or restart run now
    warming = asyncio.create_task(_warm(state.warmed))
    try:
        yield
    finally:
        warming.cancel()
        await state.worker.stop()
        await state.journal.close()
        await state.gateway.aclose()
        if state.pages.sessions is not None:
            await state.pages.sessions.users.aclose()


def build_pages(settings: Settings, journal: Journal, users: Users | None) -> Pages:
    """The pages, on when PUBLIC_URL, SESSION_SECRET and the OAuth client are set."""
    sessions = None
    if settings.pages_url and settings.session_secret and settings.github_client_secret:
        users = users or Users(
            api_url=settings.github_api_url,
            client_id=settings.github_client_id or "",
            client_secret=settings.github_client_secret.get_secret_value(),
        )
        sessions = Sessions(settings.session_secret.get_secret_value(), journal, users)
    return Pages(settings, journal, sessions, environment())


async def _warm(warmed: asyncio.Event) -> None:
    """Compile and load what evaluations use, in a thread, then freeze the heap."""
    try:
        seconds = await asyncio.to_thread(warm_up)
        log.info("warmed_up", seconds=round(seconds, 3))
    except Exception:  # a bug in the sample must not keep the App unready for good
        log.exception("warm_up_failed")
    _freeze_startup_objects()
    warmed.set()


def _freeze_startup_objects() -> None:
    """Move what start-up allocated (modules, rule tables, compiled regexes: most of the
    heap) out of the collector's sight. A full collection scanned all of it: 65-80 ms
    pauses in the middle of evaluations and acknowledgements (bench_server.py)."""
    gc.collect()
    gc.freeze()


def default_gateway(settings: Settings) -> Gateway:
    return Gateway(
        app_id=settings.github_app_id,
        private_key=settings.private_key,
        api_url=settings.github_api_url,
        retry=retry_policy(),
        team_cache_seconds=settings.team_cache_seconds,
    )


def build_worker(
    settings: Settings,
    gateway: Gateway,
    journal: Journal,
    metrics: Metrics | None = None,
    turns: threading.Lock | None = None,
) -> Worker:
    worker = Worker(
        journal,
        Evaluator(gateway, journal, pages_url=settings.pages_url, turns=turns),
        concurrency=settings.worker_concurrency,
        max_attempts=settings.max_attempts,
        retry_base_seconds=settings.retry_base_seconds,
        keep_deliveries_days=settings.keep_deliveries_days,
        metrics=metrics,
    )
    if settings.delivery_recovery_seconds > 0:
        worker.every(
            settings.delivery_recovery_seconds,
            "delivery_recovery",
            lambda: recovery.recover(gateway, journal),
        )
    return worker


async def run_worker(
    settings: Settings,
    stop: asyncio.Event,
    *,
    gateway: Gateway | None = None,
    listeners: list[Callable[[Outcome], None]] | None = None,
    wake_on: signal.Signals | None = None,
) -> None:
    """`release-roles worker`: only the queue consumer, until `stop` is set.

    The web process records deliveries and jobs in the shared journal; this
    process claims them (polling, since it cannot be woken across processes).
    """
    configure(settings.log_level)
    gateway = gateway or default_gateway(settings)
    journal = open_journal(settings.database_url)
    await journal.open()
    metrics = Metrics()
    # a process of its own: its journal writes may wait for its detection (not so for
    # a receiver sharing the process, whose deliveries must not wait for evaluations)
    turns = threading.Lock()
    journal.take_turns(turns)
    worker = build_worker(settings, gateway, journal, metrics, turns)
    worker.listeners.extend(listeners or [])
    if settings.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port, registry=metrics.registry)
    worker.poll_seconds = STANDALONE_POLL_SECONDS
    # The journal's statements run in a thread while detection holds the GIL in
    # another; at CPython's 5 ms switch interval a SQLite transaction waited that long
    # between its statements, holding the database's write lock, and the receiver's
    # deliveries waited behind it (ack p99 16-21 ms; 9-11 ms at 0.2 ms, bench_server).
    sys.setswitchinterval(WORKER_SWITCH_SECONDS)
    if wake_on is not None:  # serve's child: the receiver signals when it queued jobs
        asyncio.get_running_loop().add_signal_handler(wake_on, worker.wake)
    log.info("warmed_up", seconds=round(await asyncio.to_thread(warm_up), 3))
    worker.start()
    _freeze_startup_objects()
    log.info("worker_started", concurrency=settings.worker_concurrency)
    try:
        await stop.wait()
    finally:
        await worker.stop()
        await journal.close()
        await gateway.aclose()
        log.info("worker_stopped")


def __getattr__(name: str) -> FastAPI:
    # `uvicorn app.main:app` builds the app on first access, so importing this
    # module (in tests, in the CLI) never reads the environment.
    if name == "app":
        return create_app()
    raise AttributeError(name)
