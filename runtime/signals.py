"""Runs a long-lived coroutine until SIGINT or SIGTERM asks it to stop cleanly."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable


def run_until_signal(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    async def _run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    asyncio.run(_run())
