"""What the read commands do with a value the system does not know, against the real API (fixture
`api`): `lijst` refuses an unknown filter value (exit 1, naming the field and what is accepted, one
JSON document with --json) instead of printing an empty list; `inzage-log` refuses a casus the event
store holds nothing for, as `audit` does (a known casus nobody read keeps its empty log: see
tests/api/test_leesfilters.py, on a store of its own); `termijnen` says in its help that its two
options add up."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.cli.conftest import Proefapi, Uitkomst, login

Casus = Callable[..., Uitkomst]

ONBEKEND = [
    (("--beleid", "bogus"), "beleid", "ijmond-2024"),
    (("--fase", "bogus"), "fase", "dienst"),
    (("--gemeente", "Velsen"), "gemeente", "velsen"),
    (("--partij", "nobody"), "partij", "veilig-thuis"),
    (("--partij", "lokaal-team:onbekend-team"), "partij", "lokaal-team:socius-md"),
]


@pytest.mark.parametrize(("filter_", "veld", "aanvaard"), ONBEKEND, ids=[" ".join(f) for f, _, _ in ONBEKEND])
def test_lijst_refuses_an_unknown_filter_value_naming_the_field_and_what_is_accepted(
    casus: Casus, bij: Proefapi, filter_: tuple[str, str], veld: str, aanvaard: str
) -> None:
    login(casus, "operator")
    r = casus("lijst", *filter_, "--json")
    assert r.code == 1, r.out
    fout = json.loads(r.out)["fout"]  # one document: json.loads refuses anything after it
    assert fout["veld"] == veld and fout["exit_code"] == 1
    assert f"unknown {veld} '{filter_[1]}'" in fout["melding"] and aanvaard in fout["melding"].split("accepted: ", 1)[1].split(", ")
    tekst = casus("lijst", *filter_)
    assert tekst.code == 1 and tekst.out == "" and f"unknown {veld} '{filter_[1]}'" in tekst.err and "0 of 0" not in tekst.out


def test_lijst_takes_every_known_filter_value(casus: Casus, bij: Proefapi) -> None:
    login(casus, "operator")
    r = casus(
        "lijst", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--fase", "overgedragen", "--partij", "lokaal-team:socius-md", "--json"
    )
    assert r.code == 0, r.err
    assert [c["casus_id"] for c in json.loads(r.out)["casussen"]] == [bij.casus_id]
    for partij in ("instelling:de-waag", "lokaal-team:arnhem", "jeugdhulp"):
        leeg = casus("lijst", "--partij", partij)
        assert leeg.code == 0 and "0 of 0 casussen" in leeg.out, leeg.err


def test_inzage_log_refuses_a_casus_the_event_store_holds_nothing_for_as_audit_does(casus: Casus, bij: Proefapi) -> None:
    login(casus, "auditor")
    onbekend = "00000000-0000-0000-0000-000000000000"
    log = casus("inzage-log", "--casus", onbekend, "--json")
    audit = casus("audit", onbekend, "--reden", "toezicht", "--json")
    assert (log.code, audit.code) == (1, 1), log.out
    assert json.loads(log.out)["fout"] == json.loads(audit.out)["fout"]
    assert json.loads(log.out)["fout"]["melding"] == f"unknown casus {onbekend}: the event store holds nothing for it"


def test_termijnen_help_says_both_options_together_list_either_kind(casus: Casus) -> None:
    hulp = " ".join(casus("termijnen", "--help").out.split())
    assert "--verstreken" in hulp and hulp.count("(OR)") == 2, hulp


def test_lijst_of_the_fase_afgesloten_lists_the_closed_casussen_without_being_told_twice(casus: Casus, bij: Proefapi) -> None:
    login(casus, "operator")
    gesloten = json.loads(casus("lijst", "--fase", "afgesloten", "--json").out)
    assert [c["huishouden"] for c in gesloten["casussen"]] == ["HH-cli-gesloten"], gesloten
    assert "HH-cli-gesloten" not in casus("lijst").out  # a plain list: open casussen only
