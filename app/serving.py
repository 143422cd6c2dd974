"""`release-roles serve`'s web server: uvicorn, one process or `WEB_CONCURRENCY` of them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from app.jobs.child import WorkerChild
from app.settings import Settings

# No access log (ours is structured); nothing reads X-Forwarded-* (links are built from
# PUBLIC_URL), so uvicorn's proxy-headers layer only cost every delivery; no `server`
# header to tell a scanner what answers.
UVICORN: dict[str, Any] = {
    "log_config": None,
    "access_log": False,
    "proxy_headers": False,
    "server_header": False,
}


def run_server(settings: Settings, host: str, port: int, child: WorkerChild | None) -> None:
    import uvicorn

    from app.main import create_app

    if settings.web_concurrency > 1:
        # uvicorn's supervisor starts the processes; each builds its own app from the
        # environment, which the .env's values join first (the environment still wins)
        export_env_file()
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            workers=settings.web_concurrency,
            host=host,
            port=port,
            **UVICORN,
        )
        return
    app = create_app(settings, child=child)
    uvicorn.run(app, host=host, port=port, **UVICORN)


def export_env_file() -> None:
    env_file = Path(".env")
    if env_file.is_file():
        from dotenv import dotenv_values

        for name, value in dotenv_values(env_file).items():
            if value is not None:
                os.environ.setdefault(name, value)
