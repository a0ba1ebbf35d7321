"""Deadline timers that are started once and never cancelled.

Why (issue 12): a workflow task that cancels a timer which fired while the task was with the worker
is stranded by the time-skipping test server: it refuses the completion ("invalid history builder
state for action", TestWorkflowMutableStateImpl.processCancelTimer) and never times the task out or
sends it again, so `casus simuleer` waited for ever. `wait_condition(..., timeout=...)` cancels its
timer whenever an action ends the wait first, so every action that arrived as a deadline fell due
could strand the casus. A real server clears the buffered TimerFired event instead
(AddTimerCanceledEvent → checkAndClearTimerFiredEvent), so production was not affected; leaving the
timers be removes the cancel itself, on both. A timer for a deadline that is no longer the next one
fires later and wakes the workflow once, to no effect.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from temporalio import workflow


class Wekkers:
    def __init__(self) -> None:
        self._lopend: dict[datetime, asyncio.Task[None]] = {}

    def voor(self, termijn: datetime, nu: datetime, samenvatting: str | None = None) -> asyncio.Task[None]:
        """The timer that goes off at `termijn` (started now if none runs for it yet); `samenvatting`
        names it in Temporal's UI (the deadline and its rule)."""
        self._lopend = {t: w for t, w in self._lopend.items() if not w.done()}
        wekker = self._lopend.get(termijn)
        if wekker is None:
            wekker = asyncio.create_task(workflow.sleep((termijn - nu).total_seconds(), summary=samenvatting))
            self._lopend[termijn] = wekker
        return wekker
