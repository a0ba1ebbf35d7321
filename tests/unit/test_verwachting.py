"""`casus simuleer --verwacht`'s comparison (service/verwachting.py): each difference in one short
line naming the path to the differing value and both values, the closest item when none holds an
expected one; the same with its values in `afwijkingen`."""

from __future__ import annotations

from typing import Any

from service import verwachting

KORT = 200  # no line of a single difference is longer


def uitkomst() -> dict[str, Any]:
    """The outcome of ../shared/scenarios/ijmond-directe-overdracht.yaml, in part."""
    return {
        "status": "open",
        "monitoring_periode": {"van": "2027-04-01", "tot": "2027-07-01", "verlengd": False},
        "verantwoordelijkheid": [
            {"partij": "melder", "van": "2027-03-25T10:00:00+01:00", "tot": "2027-03-31T15:00:00+02:00", "grond": "melding"},
            {"partij": "veilig-thuis", "van": "2027-03-31T15:00:00+02:00", "tot": "2027-04-01T11:00:00+02:00", "grond": "IJM-3.1c"},
            {"partij": "lokaal-team:socius-md", "van": "2027-04-01T11:00:00+02:00", "tot": None, "grond": "IJM-3.3.1b"},
        ],
        "termijnen": [
            {
                "soort": "veiligheidsbeoordeling",
                "uiterlijk": "2027-04-06T00:00:00+02:00",
                "status": "voldaan",
                "voldaan_op": "2027-03-31T15:00:00+02:00",
                "regel": "IJM-3.3.1a",
            },
            {
                "soort": "verantwoordelijkheid-vt",
                "uiterlijk": "2027-04-06T00:00:00+02:00",
                "status": "voldaan",
                "voldaan_op": "2027-03-31T15:00:00+02:00",
                "regel": "IJM-3.1d",
            },
            {"soort": "contact-gezin", "uiterlijk": "2027-04-16T00:00:00+02:00", "status": "verstreken", "regel": "IJM-3.3.2c"},
        ],
        "berichten": [
            {
                "soort": "overdrachtsformulier",
                "aan": "lokaal-team:socius-md",
                "op": "2027-04-01T11:00:00+02:00",
                "inhoud": ["inhoud-melding", "contactgegevens-melder", "uitkomst-veiligheidsbeoordeling"],
            },
        ],
        "fouten": [
            {"stap": 2, "actie": "overdracht-accepteren", "regel": "IJM-3.3.1b", "melding": "Het team accepteert " + "x" * 300},
        ],
    }


def verwacht() -> dict[str, Any]:
    """What ../shared/scenarios/ijmond-directe-overdracht.expected.json states, with the error above."""
    u = uitkomst()
    return {
        "verantwoordelijkheid": u["verantwoordelijkheid"],
        "termijnen (some)": [{k: t[k] for k in ("soort", "uiterlijk", "status")} for t in u["termijnen"]],
        "fouten": [{"stap": 2, "actie": "overdracht-accepteren", "regel": "IJM-3.3.1b"}],
        "why": "not compared",
    }


def regels(verwacht: dict[str, Any], uitkomst: dict[str, Any]) -> list[str]:
    uit = verwachting.verschillen(uitkomst, verwacht)
    assert all("\n" not in r and len(r) <= KORT for r in uit), uit
    return uit


def test_the_expected_facts_of_the_outcome_give_no_difference() -> None:
    assert regels(verwacht(), uitkomst()) == []


def test_a_changed_field_of_a_list_in_order_is_named_by_its_path_with_both_values() -> None:
    v = verwacht()
    v["verantwoordelijkheid"][1]["grond"] = "IJM-3.1d"
    assert regels(v, uitkomst()) == ["verantwoordelijkheid[1].grond: expected IJM-3.1d, got IJM-3.1c"]


def test_an_expected_item_no_item_holds_names_the_closest_and_how_it_differs() -> None:
    v = verwacht()
    v["termijnen (some)"][2]["status"] = "voldaan"
    assert regels(v, uitkomst()) == [
        "termijnen: no item with soort contact-gezin, uiterlijk 2027-04-16T00:00:00+02:00, status voldaan;"
        " closest termijnen[2] has status verstreken"
    ]


def test_the_closest_item_is_the_one_agreeing_in_most_fields_and_a_missing_field_is_said() -> None:
    v = verwacht()
    v["termijnen (some)"] = [
        {"soort": "contact-gezin", "uiterlijk": "2027-04-16T00:00:00+02:00", "voldaan_op": "2027-04-10T00:00:00+02:00"}
    ]
    assert regels(v, uitkomst()) == [
        "termijnen: no item with soort contact-gezin, uiterlijk 2027-04-16T00:00:00+02:00, voldaan_op 2027-04-10T00:00:00+02:00;"
        " closest termijnen[2] has no voldaan_op"
    ]


def test_an_expected_item_like_no_item_at_all_says_so() -> None:
    v = verwacht()
    v["termijnen (some)"] = [{"soort": "crisis", "status": "afgelopen"}]
    assert regels(v, uitkomst()) == [
        "termijnen: no item with soort crisis, status afgelopen; no item of the outcome agrees with it in any field"
    ]


def test_an_item_missing_from_a_list_in_order_is_one_difference_at_its_place() -> None:
    u = uitkomst()
    del u["verantwoordelijkheid"][1]
    assert regels(verwacht(), u) == [
        'verantwoordelijkheid[1]: expected {"partij": "veilig-thuis", "van": "2027-03-31T15:00:00+02:00",'
        ' "tot": "2027-04-01T11:00:00+02:00", "grond": "IJM-3.1c"}, missing in the outcome'
    ]


def test_an_item_the_outcome_has_too_is_one_difference_not_a_shift_of_those_after_it() -> None:
    u = uitkomst()
    u["verantwoordelijkheid"].insert(1, {"partij": "mda", "van": "x", "tot": "y", "grond": "IJM-4"})
    assert regels(verwacht(), u) == [
        'verantwoordelijkheid[1]: not expected, got {"partij": "mda", "van": "x", "tot": "y", "grond": "IJM-4"}'
    ]


def test_a_nested_object_names_its_changed_missing_and_extra_keys() -> None:
    v = verwacht() | {"monitoring_periode": {"van": "2027-04-01", "tot": "2027-06-01", "einde": "gepland"}}
    assert regels(v, uitkomst()) == [
        "monitoring_periode.tot: expected 2027-06-01, got 2027-07-01",
        "monitoring_periode.einde: expected gepland, missing in the outcome",
        "monitoring_periode.verlengd: not expected, got false",
    ]


def test_a_list_of_values_in_an_item_names_the_item_that_differs() -> None:
    u = uitkomst()
    v = verwacht() | {"berichten": [dict(u["berichten"][0], inhoud=["inhoud-melding", "contactgegevens-melder", "informatie-beoordeling"])]}
    assert regels(v, u) == ["berichten[0].inhoud[2]: expected informatie-beoordeling, got uitkomst-veiligheidsbeoordeling"]


def test_an_error_differs_in_its_expected_fields_only() -> None:
    v = verwacht()
    v["fouten"][0]["regel"] = "IJM-3.3.1c"
    assert regels(v, uitkomst()) == ["fouten[0].regel: expected IJM-3.3.1c, got IJM-3.3.1b"]


def test_an_error_the_outcome_has_and_one_it_lacks_are_named_by_place() -> None:
    geen = verwacht() | {"fouten": []}
    (regel,) = regels(geen, uitkomst())
    assert regel.startswith('fouten[0]: not expected, got {"stap": 2, "actie": "overdracht-accepteren", "regel": "IJM-3.3.1b"')
    twee = verwacht()
    twee["fouten"].append({"stap": 3, "actie": "afsluiten", "regel": "IJM-4.1"})
    assert regels(twee, uitkomst()) == ['fouten[1]: expected {"stap": 3, "actie": "afsluiten", "regel": "IJM-4.1"}, missing in the outcome']


def test_a_key_the_outcome_lacks_is_missing_not_null() -> None:
    v = verwacht() | {"berichten_open": []}
    assert regels(v, uitkomst()) == ["berichten_open: expected [], missing in the outcome"]


def test_two_long_texts_show_where_they_differ() -> None:
    u = uitkomst()
    v = verwacht() | {"fouten": [dict(u["fouten"][0], melding=u["fouten"][0]["melding"] + "!")]}
    (regel,) = regels(v, u)
    staart = "x" * 35  # a little before the first difference, not the 320 characters before it
    assert regel == f'fouten[0].melding: expected "…{staart}!", got "…{staart}"'


def test_afwijkingen_carry_the_path_and_both_values_whole() -> None:
    v = verwacht()
    v["verantwoordelijkheid"][1]["grond"] = "IJM-3.1d"
    v["termijnen (some)"][2]["status"] = "voldaan"
    assert [a.als_json() for a in verwachting.afwijkingen(uitkomst(), v)] == [
        {"pad": "verantwoordelijkheid[1].grond", "soort": "anders", "verwacht": "IJM-3.1d", "gekregen": "IJM-3.1c"},
        {
            "pad": "termijnen",
            "soort": "niet-gevonden",
            "verwacht": v["termijnen (some)"][2],
            "gekregen": uitkomst()["termijnen"][2],
            "dichtstbij": "termijnen[2]",
        },
    ]
