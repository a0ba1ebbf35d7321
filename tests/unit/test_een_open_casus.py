"""IJM-3.7c one open casus per household (rev. 2026-11-30): the decision is the domain's, on the
open casussen the household read model lists."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain import gebeurtenissen as g
from domain.beslissen import decide
from domain.draaiboek import Draaiboek, t
from domain.gebeurtenissen import Melder
from domain.huishouden import OpenCasus, een_open_casus
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.stap import Regelset
from domain.weigering import Weigering
from eventstore.store import EventStore, Opgeslagen
from eventstore.views import ViewStore, open_views
from projections.caseload import Caseload
from projections.huishouden import open_casussen
from runtime.settings import Settings

OPEN = OpenCasus(casus_id=str(uuid.UUID(int=37)), beleid="ijmond-2024", gemeente="heemskerk", ontvangen=t("2027-09-06T09:00:00+02:00"))


def melding(huishouden: str = "HH-3707", **velden: object) -> Melden:
    return Melden.model_validate(
        {
            "casus_id": str(uuid.uuid4()),
            "gemeente": "heemskerk",
            "huishouden": huishouden,
            "melder": Melder(soort="professional"),
            "ontvangen": t("2027-09-20T10:00:00+02:00"),
            "actor": Actor(partij="veilig-thuis", medewerker="test"),
            **velden,
        }
    )


def test_IJM_3_7c_a_melding_about_a_household_with_an_open_casus_is_refused_naming_it_and_nieuwe_melding(ijmond: Regelset) -> None:
    with pytest.raises(Weigering) as w:
        een_open_casus(melding(), [OPEN], ijmond)
    assert (w.value.regel, w.value.veld) == ("IJM-3.7c", "huishouden")
    assert OPEN.casus_id in w.value.melding
    assert f"casus nieuwe-melding {OPEN.casus_id}" in w.value.melding
    assert "--aparte-casus" in w.value.melding


def test_IJM_3_7c_the_oldest_open_casus_is_named_when_the_household_has_several(ijmond: Regelset) -> None:
    later = OPEN.model_copy(update={"casus_id": str(uuid.UUID(int=38)), "ontvangen": t("2027-09-08T09:00:00+02:00")})
    with pytest.raises(Weigering) as w:
        een_open_casus(melding(), [later, OPEN], ijmond)
    assert OPEN.casus_id in w.value.melding and later.casus_id not in w.value.melding


def test_IJM_3_7c_a_household_without_an_open_casus_may_start_one(ijmond: Regelset) -> None:
    een_open_casus(melding(), [], ijmond)


def test_IJM_3_7c_a_retry_of_the_same_melding_finds_its_own_casus_which_is_not_a_second_one(ijmond: Regelset) -> None:
    m = melding()
    een_open_casus(m, [OPEN.model_copy(update={"casus_id": m.casus_id})], ijmond)


def test_IJM_3_7c_a_stated_reason_lets_a_separate_casus_start_and_is_recorded_with_the_melding(ijmond: Regelset) -> None:
    m = melding(aparte_casus="Vader woont apart; zijn nieuwe gezin is een ander huishouden.")
    een_open_casus(m, [OPEN], ijmond)
    ontvangen = decide(None, m, ijmond, m.ontvangen)[0]
    assert isinstance(ontvangen, g.MeldingOntvangen)
    assert ontvangen.aparte_casus == m.aparte_casus


def test_IJM_3_7c_a_blank_reason_is_no_reason() -> None:
    with pytest.raises(ValueError, match="aparte_casus"):
        melding(aparte_casus="  ")


def test_IJM_3_7c_an_open_casus_in_another_region_is_not_this_veilig_thuis_casus(ijmond: Regelset) -> None:
    elders = OPEN.model_copy(update={"beleid": "gelderland-midden-2019", "gemeente": "ede"})
    een_open_casus(melding(), [elders], ijmond)


def test_IJM_3_7c_gelderland_midden_states_no_such_rule_and_refuses_nothing(gelderland: Regelset) -> None:
    assert gelderland.beleid.regels.een_open_casus is None
    een_open_casus(melding(gemeente="ede"), [OPEN], gelderland)


@pytest.fixture
def views(tmp_path: Path) -> Iterator[ViewStore]:
    store = EventStore.open(Settings(state_dir=tmp_path, eventstore="sqlite"))
    yield open_views(store.infrastructure)
    store.close()


def projecteer(views: ViewStore, *draaiboeken: Draaiboek) -> None:
    views.create(Caseload.ddl)
    items = [
        Opgeslagen(positie=0, versie=versie, casus_id=d.casus.casus_id, gebeurtenis=e)
        for d in draaiboeken
        for versie, e in enumerate(d.gebeurtenissen, start=1)
    ]
    with views.transaction() as sql:
        Caseload().apply(sql, items)


def test_IJM_3_7c_the_household_read_model_lists_the_open_casussen_of_that_household_only(ijmond: Regelset, views: ViewStore) -> None:
    eerste = Draaiboek(ijmond, "2027-09-06T09:00:00+02:00", "heemskerk", huishouden="HH-3707")
    tweede = Draaiboek(ijmond, "2027-09-07T09:00:00+02:00", "heemskerk", huishouden="HH-3707")
    ander = Draaiboek(ijmond, "2027-09-06T10:00:00+02:00", "velsen", huishouden="HH-3708")
    projecteer(views, eerste, tweede, ander)
    with views.transaction() as sql:  # the second casus closed, as its CasusAfgesloten would leave the row
        sql.execute("UPDATE caseload SET status = 'afgesloten' WHERE casus_id = %s", (tweede.casus.casus_id,))
    gevonden = open_casussen(views, "HH-3707")
    assert [(c.casus_id, c.beleid, c.gemeente, c.ontvangen) for c in gevonden] == [
        (eerste.casus.casus_id, "ijmond-2024", "heemskerk", t("2027-09-06T09:00:00+02:00"))
    ]
    assert open_casussen(views, "HH-9999") == []


@pytest.mark.parametrize(
    ("sleutel", "reden"),
    [
        (" HH-3707", "no space at its beginning or end"),
        ("HH-3707 ", "no space at its beginning or end"),
        ("ＨＨ-3707", "U+FF28"),
        ("HH\u00a03707", "U+00A0"),
        ("HH\u20103707", "only dash is '-' (found U+2010)"),
        ("HH\u20133707", "only dash is '-' (found U+2013)"),
        ("Jansen-C\u0327elik", "composed form"),
    ],
)
def test_IJM_3_7c_a_household_key_typed_another_way_is_refused_not_taken_for_another_household(sleutel: str, reden: str) -> None:
    """IJM-3.7c finds a household's open casus by its key: a look-alike spelling would start a second casus beside it."""
    with pytest.raises(ValidationError, match=re.escape(reden)):
        melding(sleutel)
    for goed in ("HH-3707", "hh-3707", "Jansen-Çelik", "HH 3707"):
        assert melding(goed).huishouden == goed
