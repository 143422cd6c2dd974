"""The web app: `create_app()` for tests and `app` for uvicorn.

The lifespan opens the journal and starts the in-process workers; shutdown
stops the workers first so no job is left half-written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import health, webhooks
from app.github.gateway import Gateway, retry_policy
from app.jobs.journal import Journal, open_journal
from app.jobs.worker import Worker
from app.logs import configure
from app.service import Evaluator
from app.settings import Settings, load_settings


def create_app(
    settings: Settings | None = None,
    *,
    gateway: Gateway | None = None,
    journal: Journal | None = None,
) -> FastAPI:
    settings = settings or load_settings()
    configure(settings.log_level)
    gateway = gateway or Gateway(
        app_id=settings.github_app_id,
        private_key=settings.private_key,
        api_url=settings.github_api_url,
        retry=retry_policy(),
        team_cache_seconds=settings.team_cache_seconds,
    )
    journal = journal or open_journal(settings.database_url)
    worker = Worker(
        journal,
        Evaluator(gateway, journal),
        concurrency=settings.worker_concurrency,
        max_attempts=settings.max_attempts,
        retry_base_seconds=settings.retry_base_seconds,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await journal.open()
        worker.start()
        worker.wake()  # jobs accepted before a crash or restart run now
        try:
            yield
        finally:
            await worker.stop()
            await journal.close()

    app = FastAPI(title="Release Roles", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.journal = journal
    app.state.worker = worker
    app.state.gateway = gateway
    app.include_router(webhooks.router)
    app.include_router(health.router)
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn app.main:app` builds the app on first access, so importing this
    # module (in tests, in the CLI) never reads the environment.
    if name == "app":
        return create_app()
    raise AttributeError(name)
