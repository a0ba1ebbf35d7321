"""structlog: pretty on a terminal, JSON lines otherwise; always to stderr (stdout is for output).
An error logged with its exception (`log.exception`, `exc_info=True`) carries its traceback: as the
text of an `exception` field in JSON, drawn under the line on a terminal."""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog


def configure(fmt: Literal["auto", "json", "console"] = "auto", level: int = logging.INFO) -> None:
    json_lines = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    # The console renderer draws exc_info itself; JSON needs it turned into text first (otherwise
    # the line says only `"exc_info": true`).
    renderers: list[structlog.typing.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if json_lines
        else [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.ExtraAdder(),
        _zonder_sdk_object,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, _exc_info_nu, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderers], foreign_pre_chain=shared
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _exc_info_nu(
    _logger: structlog.typing.WrappedLogger, _methode: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:  # fmt: skip
    """`exc_info=True` means "the exception being handled now": resolved while it still is, so a
    handler that formats the line later (or on another thread) still has the traceback."""
    if event.get("exc_info") is True:
        event["exc_info"] = sys.exc_info()
    return event


def _zonder_sdk_object(
    _logger: structlog.typing.WrappedLogger, _methode: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:  # fmt: skip
    """The Temporal SDK forwards its core's log lines with the raw entry as an extra
    (`temporal_log`), which would print as `<builtins.BufferedLogEntry object at 0x…>`: its text is
    the message already."""
    event.pop("temporal_log", None)
    return event
