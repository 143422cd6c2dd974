"""Structured logs to stdout (twelve-factor): one JSON object per line, ours and
every library's (uvicorn's start and stop lines, asyncio's, anything through the
standard `logging` module), with the same fields."""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.typing import Processor

# the fields every line carries, whoever wrote it
_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure(level: str = "INFO") -> None:
    numeric = logging.getLevelName(level)
    _route_standard_logging(numeric)
    structlog.configure(
        processors=[
            *_SHARED,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )


def _route_standard_logging(level: int) -> None:
    """The root logger writes JSON to stdout: a library's record becomes
    {"event": its message, "logger": its name, "level", "timestamp", "exception"}."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.add_logger_name],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
