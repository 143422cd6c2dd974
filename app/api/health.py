"""GET /healthz: the process is up and its journal answers. GET /readyz: it can also do
its work (every worker loop it should run is running). GET /metrics: Prometheus."""

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


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Not ready while the journal is unreachable, fewer worker loops run than
    configured (acknowledged deliveries would wait unevaluated behind a 200), or the
    start-up warm-up has not finished."""
    state = request.app.state
    try:
        pending = await state.journal.pending()
    except Exception as error:
        return JSONResponse({"ready": False, "error": str(error)}, status_code=503)
    expected = state.settings.worker_concurrency if state.settings.worker_in_process else 0
    running = state.worker.running_loops
    warm = state.warmed.is_set()  # detectors compiled (main.py's warm-up)
    child = state.child  # serve's worker process, when it has one: it must be running
    child_alive = child is None or child.alive
    body = {
        "ready": running >= expected and warm and child_alive,
        "worker_loops": running,
        "expected_loops": expected,
        "warm": warm,
    }
    if child is not None:
        body["worker_process"] = {
            "pid": child.pid,
            "alive": child_alive,
            "restarts": child.restarts,
        }
    return JSONResponse(body | {"pending_jobs": pending}, status_code=200 if body["ready"] else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    state = request.app.state
    try:
        state.metrics.pending.set(await state.journal.pending())
    except Exception:  # the journal is down: the other figures still help
        state.metrics.pending.set(float("nan"))
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
