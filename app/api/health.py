"""GET /healthz: the process is up and its journal answers. GET /metrics: Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    try:
        pending = await request.app.state.journal.pending()
    except Exception as error:  # the journal is down: not healthy
        return JSONResponse({"ok": False, "error": str(error)}, status_code=503)
    return JSONResponse({"ok": True, "pending_jobs": pending})


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    state = request.app.state
    try:
        state.metrics.pending.set(await state.journal.pending())
    except Exception:  # the journal is down: the other figures still help
        state.metrics.pending.set(float("nan"))
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
