"""A casus whose recorded history decided under the rules before the revision of 2026-11-30 keeps
deciding as it did when its history replays (the workflow's patch turns `herleiden` off): the
revision's decisions are taken only where the patch is on."""

from __future__ import annotations

import pytest

from domain.beslissen import decide_op_tijd
from domain.draaiboek import t, verzoek
from domain.stap import Regelset
from domain.weigering import Weigering
from tests.unit.test_herziening_melders_en_berichten import anoniem_opnieuw_gemeld

DIRECT = verzoek("beoordeling-afronden", "veilig-thuis", t("2027-05-04T10:00:00+02:00"), besluit="direct-overdracht", team="socius-md")


def test_IJM_3_3_an_anonymous_second_melder_blocks_a_direct_overdracht_only_under_the_revision(ijmond: Regelset) -> None:
    casus = anoniem_opnieuw_gemeld(ijmond).casus
    with pytest.raises(Weigering):
        decide_op_tijd(casus, DIRECT, ijmond, t("2027-05-04T10:00:00+02:00"))
    eerder = decide_op_tijd(casus, DIRECT, ijmond, t("2027-05-04T10:00:00+02:00"), herleiden=False)
    assert "BeoordelingAfgerond" in [e.type for e in eerder]
