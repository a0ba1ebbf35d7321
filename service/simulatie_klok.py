"""The time-skipping server's clock as the simulator (service/simulatie.py) knows it."""

from __future__ import annotations

import time
from datetime import datetime

from temporalio.testing import WorkflowEnvironment

# How long the simulator goes on from the clock's last told time before it asks again (Klok); well
# under a second, so that a step never lands in the second after its instant.
KLOK_HERIJK_S = 0.25


class Klok:
    """The test server's clock as far as the simulator knows it has come, so that a step need not
    ask it first (an RPC to the server for every step): the clock never goes back, and a sleep
    moves it at least as far as asked. What real time adds meanwhile is not counted, so a step
    lands at most that much after its instant, as it did when it asked, by the time between asking
    and sleeping; past KLOK_HERIJK_S since the server last told its time, it is asked again. An
    instant of a scenario is a whole second and the workflow records `nu` to the second: a step
    that lands within its second is recorded at its instant."""

    def __init__(self) -> None:
        self._bereikt: datetime | None = None
        self._gevraagd_op = 0.0

    async def gevraagd(self, env: WorkflowEnvironment) -> datetime:
        """The server's time, asked."""
        self._bereikt, self._gevraagd_op = await env.get_current_time(), time.monotonic()
        return self._bereikt

    async def bereikt(self, env: WorkflowEnvironment) -> datetime:
        """A time the server's clock has certainly reached; asked when it last told it long ago."""
        if self._bereikt is None or time.monotonic() - self._gevraagd_op > KLOK_HERIJK_S:
            return await self.gevraagd(env)
        return self._bereikt

    def verzet(self, doel: datetime) -> None:
        """A sleep to `doel` returned: the clock has reached it."""
        self._bereikt = doel
