"""The read models' text form of an instant is written faster than by strftime, byte for byte the
same: rows written before and after sort and compare together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from eventstore.views import tijdstip, uit_tijdstip

ZONES = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(min_value=-14 * 60, max_value=14 * 60))


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES))
def test_tijdstip_is_the_strftime_form_of_the_instant_in_utc(moment: datetime) -> None:
    tekst = tijdstip(moment)
    assert len(tekst) == 27 and uit_tijdstip(tekst) == moment
    if moment.astimezone(UTC).year >= 1000:
        assert tekst == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
