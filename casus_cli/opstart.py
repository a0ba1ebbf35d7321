"""What an in-process command needs before it runs (`simuleer` and the admin commands), never the
API's clients: the Temporal SDK's runtime, its core logs through Python logging, and the logs on
stderr (stdout is the commands' output)."""

from __future__ import annotations

import logging

_gedaan = False


def binnen() -> None:
    global _gedaan  # noqa: PLW0603 - once per process
    if _gedaan:
        return
    from runtime import logging as casus_logging
    from runtime.temporal import install_runtime

    install_runtime()
    casus_logging.configure(level=logging.WARNING)
    # The time-skipping test server does not advertise every capability the SDK asks after.
    logging.getLogger("temporalio.core").setLevel(logging.ERROR)
    _gedaan = True
