"""Policies as data: both regions load, validate and differ only by their fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.beleid import Beleid
from runtime.policies import UnknownPolicyError, load_policy, policy_ids


def test_both_policies_are_shipped_and_valid() -> None:
    assert policy_ids() == ["gelderland-midden-2019", "ijmond-2024"]
    for policy_id in policy_ids():
        assert load_policy(policy_id).id == policy_id


def test_the_regional_differences_of_the_rules_table() -> None:
    ijm, gm = load_policy("ijmond-2024"), load_policy("gelderland-midden-2019")
    assert (ijm.vt_verantwoordelijk_vanaf, gm.vt_verantwoordelijk_vanaf) == ("beoordeling", "ontvangst")
    assert (ijm.vt_uiterlijk_werkdag, gm.vt_uiterlijk_werkdag) == (6, None)
    assert (ijm.overdracht_direct_moment, gm.overdracht_direct_moment) == ("acceptatie", "besluit")
    assert (ijm.monitoring_vroeg_afsluiten, gm.monitoring_vroeg_afsluiten) == (False, True)
    assert "jeugdhulp" in ijm.uitkomsten and "mda" not in ijm.uitkomsten
    assert "mda" in gm.uitkomsten and "jeugdhulp" not in gm.uitkomsten
    assert len(ijm.tenzij_criteria) == 12 and gm.tenzij_criteria == ()
    assert len(gm.teams) == 15 and all(t.gemeenten == (t.id,) for t in gm.teams)


def test_a_policy_records_a_stable_content_hash_that_changes_with_its_content() -> None:
    beleid = load_policy("ijmond-2024")
    assert beleid.inhoud_hash == load_policy("ijmond-2024").inhoud_hash
    assert beleid.model_copy(update={"beoordeling_werkdagen": 4}).inhoud_hash != beleid.inhoud_hash


def test_a_team_for_an_unknown_gemeente_makes_the_policy_invalid() -> None:
    data = load_policy("ijmond-2024").model_dump()
    data["teams"][0]["gemeenten"] = ["haarlem"]
    with pytest.raises(ValidationError, match="haarlem"):
        Beleid.model_validate(data)


def test_an_unknown_policy_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownPolicyError, match="ijmond-2024"):
        load_policy("utrecht-2030")
