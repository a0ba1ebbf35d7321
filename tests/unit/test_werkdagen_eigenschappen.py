"""T-1..T-4 as properties over any receipt moment in the years the calendar covers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.tijd import ZONE, begin_werkdag, einde_werkdag, lokale_datum
from runtime.policies import load_calendar

KALENDER = load_calendar()
MOMENTEN = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 11, 30), timezones=st.just(ZONE))


@given(ontvangen=MOMENTEN, n=st.integers(min_value=1, max_value=30))
def test_T_2_the_end_of_working_day_n_counts_exactly_n_working_days_after_day_0(ontvangen: datetime, n: int) -> None:
    uiterlijk = einde_werkdag(KALENDER, ontvangen, n)
    assert uiterlijk.astimezone(ZONE).time() == time(0)
    laatste = lokale_datum(uiterlijk) - timedelta(days=1)
    assert KALENDER.is_werkdag(laatste)
    dagen = [lokale_datum(ontvangen) + timedelta(days=i) for i in range(1, (laatste - lokale_datum(ontvangen)).days + 1)]
    assert sum(KALENDER.is_werkdag(d) for d in dagen) == n


@given(ontvangen=MOMENTEN, n=st.integers(min_value=1, max_value=30))
def test_T_2_working_day_n_starts_when_working_day_n_minus_1_ends(ontvangen: datetime, n: int) -> None:
    begin = begin_werkdag(KALENDER, ontvangen, n)
    assert begin > ontvangen
    if n > 1:
        assert begin >= einde_werkdag(KALENDER, ontvangen, n - 1)
