"""The chain envelope's bytes: a retried append recognises its own events by comparing bytes, so
the envelope must be written exactly as it always was (json.dumps with compact separators)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from eventstore.keten import BEGIN, schakel, uitpakken, verpak


@given(st.text(), st.integers(min_value=1, max_value=10**6), st.text(min_size=1, max_size=40))
def test_the_envelope_is_byte_for_byte_the_json_of_its_three_fields(gebeurtenis: str, versie: int, topic: str) -> None:
    state, eigen = verpak(BEGIN, "3f2b0c4e-0000-4000-8000-000000000001", versie, topic, gebeurtenis)
    assert state == json.dumps({"vorige": BEGIN, "hash": eigen, "gebeurtenis": gebeurtenis}, separators=(",", ":")).encode()
    envelop = uitpakken(state)
    assert (envelop.vorige, envelop.hash, envelop.gebeurtenis) == (BEGIN, eigen, gebeurtenis)
    assert eigen == schakel(BEGIN, "3f2b0c4e-0000-4000-8000-000000000001", versie, topic, gebeurtenis)


def test_quotes_backslashes_newlines_and_non_ascii_in_an_event() -> None:
    tekst = '{"plan":"zorg \\"nu\\"\\nvoor ü en 👶"}'
    state, eigen = verpak(BEGIN, "c", 1, "PlanVastgelegd", tekst)
    assert state == json.dumps({"vorige": BEGIN, "hash": eigen, "gebeurtenis": tekst}, separators=(",", ":")).encode()
