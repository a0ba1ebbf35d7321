"""The caseworker's lists against the real API (fixture `api`): who must act on each deadline and its
cycle, the report in percentages and working days with its own policy's figures only and as CSV, a
summary of what `lijst` lists, values in the words the commands take, one JSON document per
command, and the question before a household is forgotten."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest

from tests.cli.conftest import Proefapi, Uitkomst, login

Casus = Callable[..., Uitkomst]
PYTHON = re.compile(r"\b(True|False|None)\b")


def test_IJM_3_1c_termijnen_names_who_must_act_not_who_holds_the_casus(casus: Casus, bij: Proefapi) -> None:
    login(casus, "operator")
    termijnen = json.loads(casus("termijnen", "--json").out)["termijnen"]
    beoordeling = next(t for t in termijnen if t["soort"] == "veiligheidsbeoordeling")
    assert (beoordeling["houder"], beoordeling["aan_zet"], beoordeling["cyclus"]) == ("melder", ["veilig-thuis"], 1)
    contact = next(t for t in termijnen if t["soort"] == "contact-gezin" and t["casus_id"] == bij.casus_id)
    assert (contact["aan_zet"], contact["cyclus"], contact["termijn_id"]) == (["lokaal-team:socius-md"], 1, "contact-gezin-1")
    tekst = casus("termijnen")
    assert tekst.code == 0 and "aan_zet" in tekst.out and "cyclus" in tekst.out and not PYTHON.search(tekst.out)


def test_the_report_gives_percentages_and_working_days_and_only_its_own_policys_figures(casus: Casus, bij: Proefapi) -> None:
    login(casus, "operator")
    periode = ("--van", "2027-03-01", "--tot", "2027-04-30")
    r = json.loads(casus("rapport", "--beleid", "ijmond-2024", *periode, "--json").out)
    assert "aandeel_direct" not in r  # GM-1 is Gelderland-Midden's
    beoordeling = next(t for t in r["termijnen"] if t["soort"] == "veiligheidsbeoordeling")
    # Received Thursday 25 March 2027, decided Wednesday 31 March: Goede Vrijdag and tweede Paasdag are no working days (T-1).
    assert (beoordeling["eenheid"], beoordeling["mediaan"], beoordeling["percentage_tijdig"]) == ("werkdagen", 2, 100.0)
    tekst = casus("rapport", "--beleid", "ijmond-2024", *periode)
    assert tekst.code == 0 and "100 %" in tekst.out and "2 werkdagen" in tekst.out
    assert "GM-1" not in tekst.out and not PYTHON.search(tekst.out)
    gm = casus("rapport", "--beleid", "gelderland-midden-2019", *periode)
    assert "aandeel directe overdracht (GM-1): no besluit yet" in gm.out and "0 casussen" in gm.out


def test_the_report_as_csv_and_not_with_json(casus: Casus, bij: Proefapi) -> None:
    login(casus, "operator")
    periode = ("--van", "2027-03-01", "--tot", "2027-04-30")
    r = casus("rapport", "--beleid", "ijmond-2024", *periode, "--csv")
    assert r.code == 0, r.err
    rijen = list(csv.DictReader(io.StringIO(r.out)))
    beoordeling = next(x for x in rijen if x["soort"] == "veiligheidsbeoordeling")
    verwacht = {"beleid": "ijmond-2024", "eenheid": "werkdagen", "percentage_tijdig": "100.0", "regels": "IJM-3.3.1a"}
    assert beoordeling.items() >= verwacht.items()
    beide = casus("rapport", "--beleid", "ijmond-2024", *periode, "--csv", "--json")
    assert beide.code == 2 and json.loads(beide.out)["fout"] == {
        "melding": "give --csv or --json, not both: each is the whole of stdout", "veld": "csv", "exit_code": 2,
    }  # fmt: skip


def test_lijst_summarises_what_it_lists(casus: Casus, bij: Proefapi) -> None:
    login(casus, "operator")
    team = json.loads(casus("lijst", "--partij", "lokaal-team:socius-md", "--json").out)
    assert [c["casus_id"] for c in team["casussen"]] == [bij.casus_id]
    assert team["caseload"] == [{"partij": "lokaal-team:socius-md", "open": 1}]
    tekst = casus("lijst", "--partij", "lokaal-team:socius-md")
    assert "1 of 1 casus\n" in tekst.out and "melder" not in tekst.out.split("open per partij")[1]


def test_the_household_shows_booleans_as_the_commands_take_them(casus: Casus, bij: Proefapi) -> None:
    login(casus, "auditor")
    radar = json.loads(casus("huishouden", bij.huishouden, "--reden", "nazorg", "--json").out)
    assert {(m["acuut"], m["melder_anoniem"]) for m in radar["meldingen"]} == {(False, False)}
    tekst = casus("huishouden", bij.huishouden, "--reden", "nazorg")
    assert tekst.code == 0 and "false" in tekst.out and not PYTHON.search(tekst.out)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_forgetting_a_household_asks_on_a_terminal_and_nothing_is_sent_without_yes(
    casus: Casus, bij: Proefapi, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(casus, "beheerder", "eva")
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    nee = casus("huishouden", "HH-cli-niet-vergeten", "--vergeet", "--reden", "verzoek client", "--json")
    assert nee.code == 1 and "cannot be undone" in nee.err
    assert json.loads(nee.out)["fout"]["veld"] == "ja"  # the question went to stderr, the one document to stdout
    # With --ja nothing is asked: the request goes out (and needs Temporal, which is not running here).
    monkeypatch.setattr("sys.stdin", Terminal(""))
    ja = casus("huishouden", "HH-cli-niet-vergeten", "--vergeet", "--reden", "verzoek client", "--ja")
    assert ja.code == 3 and "cannot be undone" not in ja.err
