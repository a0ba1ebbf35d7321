"""Who may reach what (domain/toegang.py; RULES.md "Who may do what"; issue 13)."""

from __future__ import annotations

import pytest

from domain.draaiboek import Draaiboek
from domain.partijen import Actor
from domain.stap import Regelset
from domain.toegang import MAG, ROLLEN, Gebruiker, ToegangGeweigerd, betrokken_partijen, niet_betrokken, vereis, vereis_als

VT = Gebruiker(issuer="https://sso", subject="s1", weergavenaam="anna", partij="veilig-thuis", rol="medewerker")
AUDITOR = Gebruiker(issuer="https://sso", subject="s2", weergavenaam="carla", partij=None, rol="auditor")


def test_a_team_is_involved_once_a_casus_is_offered_to_it_and_not_before(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    assert "lokaal-team:socius-md" not in betrokken_partijen(d.casus)
    geweigerd = niet_betrokken(d.casus, Actor(partij="lokaal-team:socius-md"), "IJM-3.7")
    assert geweigerd is not None
    assert (geweigerd.regel, geweigerd.veld) == ("IJM-3.7", "als")
    d.doe("2027-03-26T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    assert niet_betrokken(d.casus, Actor(partij="lokaal-team:socius-md"), "IJM-3.7") is None
    assert niet_betrokken(d.casus, Actor(partij="lokaal-team:cjg-kennemerland"), "IJM-3.7") is not None
    assert niet_betrokken(d.casus, Actor(partij="veilig-thuis"), "IJM-3.7") is None


def test_only_an_auditor_reads_without_a_party_and_always_with_a_reason() -> None:
    with pytest.raises(ToegangGeweigerd) as e:
        vereis(AUDITOR, "audit")
    assert e.value.veld == "reden"
    vereis(AUDITOR, "audit", reden="klacht")
    with pytest.raises(ToegangGeweigerd):
        vereis(VT, "dossier")  # every role states why it opens personal text
    vereis(VT, "dossier", reden="overdracht voorbereiden")


def test_als_checks_the_token_and_roles_without_a_party_act_for_none() -> None:
    vereis_als(VT, "veilig-thuis")
    vereis_als(VT, None)
    with pytest.raises(ToegangGeweigerd) as e:
        vereis_als(VT, "lokaal-team:socius-md")
    assert e.value.reden == "partij-geweigerd"
    with pytest.raises(ToegangGeweigerd) as e:
        vereis_als(AUDITOR, None)
    assert e.value.reden == "rol-mag-niet-handelen"


def test_no_role_but_the_beheerder_forgets_or_restores_and_the_beheerder_reads_nothing() -> None:
    for rol in ROLLEN:
        assert ("vergeten" in MAG[rol]) == (rol == "beheerder")
    assert not MAG["beheerder"] & {"dossier", "audit", "huishouden", "toestand", "lijst"}


def test_a_caseworker_has_a_party_and_no_other_role_has_one() -> None:
    with pytest.raises(ValueError):
        Gebruiker(issuer="i", subject="s", weergavenaam="n", partij=None, rol="medewerker")
    with pytest.raises(ValueError):
        Gebruiker(issuer="i", subject="s", weergavenaam="n", partij="veilig-thuis", rol="auditor")


def test_a_refusal_by_role_says_in_a_caseworkers_words_who_is_refused_and_which_roles_may() -> None:
    with pytest.raises(ToegangGeweigerd) as e:
        vereis(VT, "termijnen")
    assert (e.value.reden, e.value.melding) == (
        "rol-geweigerd", "a caseworker of veilig-thuis (role medewerker) may not do this (termijnen); only the roles auditor, operator may"
    )  # fmt: skip
    with pytest.raises(ToegangGeweigerd) as e:
        vereis(AUDITOR, "vergeten")
    assert e.value.melding == "the role auditor may not do this (vergeten); only the role beheerder may"
