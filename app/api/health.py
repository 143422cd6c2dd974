"""GET /healthz: the process is up and its journal answers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    try:
        pending = await request.app.state.journal.pending()
    except Exception as error:  # the journal is down: not healthy
        return JSONResponse({"ok": False, "error": str(error)}, status_code=503)
    return JSONResponse({"ok": True, "pending_jobs": pending})
