"""Runs a long-lived coroutine until SIGINT or SIGTERM asks it to stop cleanly; a child process
that dies with the one that started it."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
from collections.abc import Awaitable, Callable

PR_SET_PDEATHSIG = 1
# Looked up when this is imported, in the parent: a forked child then only makes the call (looking
# a symbol up after a fork can wait for a loader lock another thread held at the fork).
_PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None


def sterf_met_ouder(ouder: int, signaal: signal.Signals) -> None:
    """Called in a child just after the fork: it gets `signaal` when the parent dies, even by SIGKILL
    (Linux prctl PR_SET_PDEATHSIG; elsewhere nothing is armed), and ends at once when the parent
    died before the signal was armed."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signaal, 0, 0, 0)
    if os.getppid() != ouder:
        os._exit(1)


def run_until_signal(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    async def _run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(_run())
