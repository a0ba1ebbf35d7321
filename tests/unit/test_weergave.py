"""What Temporal's UI shows of a casus (domain/weergave.py; issue 15): rule ids and pseudonymous keys,
never personal text."""

from __future__ import annotations

from domain import weergave
from domain.draaiboek import Draaiboek, t
from domain.stap import Regelset


def test_the_current_details_name_the_holder_the_phase_and_the_next_deadline_with_its_rule(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    stand = weergave.huidige_stand(d.casus)
    assert "**houder** melder" in stand and "**fase** beoordeling" in stand
    eerste = min(d.casus.open_termijnen(), key=lambda x: x.uiterlijk)
    assert f"**volgende termijn** {eerste.soort} uiterlijk" in stand and f"({eerste.regel})" in stand
    d.doe("2027-03-26T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    assert "**fase** overdracht-aangeboden" in weergave.huidige_stand(d.casus)


def test_a_timer_is_named_by_every_open_deadline_it_is_set_for(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    eerste = min(d.casus.open_termijnen(), key=lambda x: x.uiterlijk)
    naam = weergave.wekker(d.casus.termijnen, eerste.uiterlijk)
    samen = [x for x in d.casus.open_termijnen() if x.uiterlijk == eerste.uiterlijk]
    assert all(x.soort in naam and x.regel in naam for x in samen)
    assert weergave.wekker(d.casus.termijnen, t("2030-01-01T00:00:00+01:00")).startswith("termijn ")


def test_the_static_summary_holds_the_policy_gemeente_and_household_key() -> None:
    assert weergave.samenvatting("ijmond-2024", "velsen", "HH-0001") == "ijmond-2024 · velsen · HH-0001"
