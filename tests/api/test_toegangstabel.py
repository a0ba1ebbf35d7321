"""The table of who may use which endpoint (tests/api/test_toegang.py) is whole: it names every
endpoint the role test sends, and nothing else. Apart from that module, whose tests all run in the
event loop."""

from __future__ import annotations

from tests.api.test_toegang import TOEGESTAAN, _sleutel, _verzoeken


def test_the_table_names_every_endpoint_that_needs_a_token() -> None:
    namen = {_sleutel(m, p, "CASUS") for m, p, _ in _verzoeken("CASUS")}
    assert namen == set(TOEGESTAAN)
