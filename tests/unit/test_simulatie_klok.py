"""The simulator moves the time-skipping server's clock to each step without asking it the time
first, only now and then: a step still never lands before its instant, nor in the second after it."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from service import simulatie_klok
from service.simulatie import Simulator

VERSCHUIVING = timedelta(days=400, seconds=12, microseconds=345_678)


class Serverklok:
    """The clock of a time-skipping test server: it moves by what a sleep skips and, meanwhile, by
    real time; each question of its time takes a little real time too."""

    def __init__(self, start: datetime) -> None:
        self._basis, self._sinds = start, time.monotonic()
        self.gevraagd = 0

    def nu(self) -> datetime:
        return self._basis + timedelta(seconds=time.monotonic() - self._sinds)

    async def get_current_time(self) -> datetime:
        self.gevraagd += 1
        await asyncio.sleep(0.001)
        return self.nu()

    async def sleep(self, duur: timedelta) -> None:
        await asyncio.sleep(0.001)
        self._basis += duur


async def test_a_step_lands_within_the_second_of_its_instant_and_the_clock_is_seldom_asked() -> None:
    server = Serverklok(datetime(2026, 1, 1, tzinfo=UTC))
    simulator = Simulator(server)  # type: ignore[arg-type]
    moment = (await simulator._klok.gevraagd(server)) + VERSCHUIVING
    stappen, kans = 200, random.Random(12)
    for _ in range(stappen):
        moment += timedelta(seconds=kans.choice([0, 1, 59, 3600, 86_400 * 3]))
        await simulator._klok_naar(moment, VERSCHUIVING)
        doel = moment - VERSCHUIVING
        assert doel <= server.nu() < doel + timedelta(seconds=1)
    assert server.gevraagd < stappen / 4


async def test_the_clock_is_asked_again_once_real_time_may_have_moved_it(monkeypatch: pytest.MonkeyPatch) -> None:
    server = Serverklok(datetime(2026, 1, 1, tzinfo=UTC))
    simulator = Simulator(server)  # type: ignore[arg-type]
    moment = (await simulator._klok.gevraagd(server)) + VERSCHUIVING
    monkeypatch.setattr(simulatie_klok, "KLOK_HERIJK_S", -1.0)
    for stap in range(1, 4):
        await simulator._klok_naar(moment + timedelta(hours=stap), VERSCHUIVING)
    assert server.gevraagd == 4
