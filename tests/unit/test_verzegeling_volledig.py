"""Every text a command carries is either sealed (marked `persoonlijk`) or named here as an
identifier or code that is no one's free prose. A new free-text field that is not marked fails
this test, so it cannot reach the event store in clear by being forgotten."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal, get_args, get_origin

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from domain.opdrachten import (
    OPDRACHTEN,
    TEKST_MAX,
    VOORWAARDE_MAX,
    Melden,
    Tekst,
    VerplichteTekst,
    Verzoek,
    open_codes,
    persoonlijk,
    persoonlijke_velden,
    verzegeld_max,
)
from domain.partijen import Identificatie

# (model, field): why the text is not free prose. Literal fields need no entry: their values are
# fixed by the type (`actie`, `conclusie`, `met`, `vorm`, `soort`, `melder_soort`, Melder.soort).
TOEGESTAAN: dict[tuple[str, str], str] = {
    ("BeoordelingAfronden", "besluit"): "a code, checked against the policy's list of outcomes (onderzoek, direct-overdracht, ...)",
    ("BeoordelingAfronden", "team"): "the id of a lokaal team, checked against the policy's teams",
    ("BeoordelingAfronden", "criteria"): "ids of tenzij-criteria, checked against the policy's criteria",
    ("BeoordelingAfronden", "instelling"): "the id of an instelling (a party), not a description",
    ("DienstAfronden", "team"): "the id of the lokaal team that gave the dienst",
    ("Melden", "casus_id"): "the casus's id (a stream id)",
    ("Melden", "gemeente"): "the id of the gemeente, which selects the region and policy",
    ("Melden", "huishouden"): "the household's pseudonym key, under which its texts are sealed",
    ("Actor", "partij"): "the id of the acting party (veilig-thuis, lokaal-team:<id>, ...)",
    ("Actor", "medewerker"): "the id of the person acting for the party",
    ("Actor", "issuer"): "the identity provider that vouched for the person (a URL)",
    ("Actor", "subject"): "the person's subject id at that identity provider",
}


def _kinderen(tp: Any) -> Iterator[Any]:
    """The types inside `tp`: the members of a union, the items of a tuple or list, the base of an Annotated."""
    if get_origin(tp) is Annotated:
        yield get_args(tp)[0]
        return
    yield from (a for a in get_args(tp) if a is not Ellipsis)


def _bladeren(tp: Any) -> Iterator[Any]:
    """The leaf types of an annotation (models, str, Literal, ...), through Annotated, unions and containers."""
    if get_origin(tp) is Literal or isinstance(tp, type):
        yield tp
        return
    if get_origin(tp) is not None:  # Annotated, a union, tuple[...], list[...], ...
        for kind in _kinderen(tp):
            yield from _bladeren(kind)
        return
    yield tp  # a TypeVar, Any or other: reported as text below, to be looked at


def _is_tekst(blad: Any) -> bool:
    if get_origin(blad) is Literal:
        return False  # one of a fixed set of values, fixed by the type
    if isinstance(blad, type):
        return issubclass(blad, str)
    return blad is Any


def _modellen(wortels: tuple[type[BaseModel], ...]) -> list[type[BaseModel]]:
    """The models and every model nested in them (a field's type, a union member, a tuple's item)."""
    gezien: list[type[BaseModel]] = []
    werk = list(wortels)
    while werk:
        model = werk.pop()
        if model in gezien:
            continue
        gezien.append(model)
        for info in model.model_fields.values():
            werk += [b for b in _bladeren(info.annotation) if isinstance(b, type) and issubclass(b, BaseModel)]
    return gezien


def tekstvelden(model: type[BaseModel]) -> list[str]:
    return [n for n, info in model.model_fields.items() if any(_is_tekst(b) for b in _bladeren(info.annotation))]


def onverzegeld(wortels: tuple[type[BaseModel], ...], toegestaan: dict[tuple[str, str], str]) -> list[str]:
    """The text fields that are neither sealed nor allowed in clear, as `Model.field`."""
    return [
        f"{m.__name__}.{n}"
        for m in _modellen(wortels)
        for n in tekstvelden(m)
        if n not in persoonlijke_velden(m) and (m.__name__, n) not in toegestaan
    ]


WORTELS: tuple[type[BaseModel], ...] = (*OPDRACHTEN.values(), Melden, Verzoek)


def test_every_text_of_a_command_is_sealed_or_allowed_in_clear_by_name() -> None:
    assert onverzegeld(WORTELS, TOEGESTAAN) == [], "mark these persoonlijk(...) or add them to TOEGESTAAN with a reason"


def test_the_allow_list_names_only_existing_text_fields_that_are_not_sealed() -> None:
    modellen = {m.__name__: m for m in _modellen(WORTELS)}
    for (model, veld), waarom in TOEGESTAAN.items():
        assert waarom.strip(), (model, veld)
        assert model in modellen and veld in tekstvelden(modellen[model]), f"stale entry {model}.{veld}"
        assert veld not in persoonlijke_velden(modellen[model]), f"{model}.{veld} is sealed and allowed"


def test_the_walk_reaches_nested_models_and_every_shape_of_text() -> None:
    namen = {m.__name__ for m in _modellen(WORTELS)}
    assert {"Melden", "Melder", "Actor", "Verzoek", "Afsluiten", "DienstAfronden"} <= namen
    # str | None, tuple[Annotated str, ...], Annotated str (Identificatie, VerplichteTekst)
    assert "aparte_casus" in tekstvelden(Melden) and "huishouden" in tekstvelden(Melden)
    assert "voorwaarden" in tekstvelden(OPDRACHTEN["dienst-afronden"])
    assert "criteria" in tekstvelden(OPDRACHTEN["beoordeling-afronden"])
    assert "actie" not in tekstvelden(OPDRACHTEN["afsluiten"])  # a Literal


class _Vergeten(BaseModel):
    """A command whose free texts are not all marked: the test must report them."""

    toelichting: VerplichteTekst  # unmarked free text
    bijlagen: tuple[Tekst, ...] = ()  # unmarked, inside a tuple
    opmerking: str | None = None  # unmarked, optional plain str
    code: Identificatie = "x"  # an identifier, not allowed by name either
    soort: Literal["a", "b"] = "a"  # a Literal: fine
    verzegeld: VerplichteTekst = persoonlijk(default="x")  # marked: fine


class _Omhulsel(BaseModel):
    binnen: _Vergeten | None = None


def test_an_unmarked_free_text_is_reported_also_when_nested() -> None:
    assert sorted(onverzegeld((_Omhulsel,), {})) == ["_Vergeten.bijlagen", "_Vergeten.code", "_Vergeten.opmerking", "_Vergeten.toelichting"]
    assert "_Vergeten.code" not in onverzegeld((_Omhulsel,), {("_Vergeten", "code"): "an id"})


def _verzegeld(tekens: int) -> str:
    """A value of the sealed form (`vz1:` and base64) of the longest sealed text of `tekens` characters."""
    return "vz1:" + "A" * (verzegeld_max(tekens) - len("vz1:"))


@pytest.mark.parametrize(
    ("model", "veld"),
    [(m, n) for m in _modellen(WORTELS) for n in persoonlijke_velden(m)],
    ids=lambda x: x if isinstance(x, str) else x.__name__,
)
def test_a_sealed_field_accepts_the_sealed_form_of_its_longest_text_and_refuses_a_longer_clear_one(
    model: type[BaseModel], veld: str
) -> None:
    info = model.model_fields[veld]
    soort: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    adapter: TypeAdapter[Any] = TypeAdapter(soort)
    lijst = any(get_origin(b) is tuple for b in [info.annotation, *get_args(info.annotation)])
    maximum = VOORWAARDE_MAX if lijst else TEKST_MAX
    verpak = (lambda w: (w,)) if lijst else (lambda w: w)
    adapter.validate_python(verpak(_verzegeld(maximum)))
    with pytest.raises(ValidationError):
        adapter.validate_python(verpak("x" * (maximum + 1)))


def test_a_value_left_in_clear_in_a_sealed_field_is_a_code_not_prose() -> None:
    """`persoonlijk(codes=...)`: a ground the rules name (afsluiten's `geen-contact-geen-zorgen`) stays
    in clear so the workflow can apply its clause; it is one kebab-case word group, never a sentence."""
    codes = {(m.__name__, n): open_codes(m, n) for m in _modellen(WORTELS) for n in persoonlijke_velden(m) if open_codes(m, n)}
    assert codes == {("Afsluiten", "reden"): ("geen-contact-geen-zorgen",)}
    for (model, veld), waarden in codes.items():
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", w) for w in waarden), (model, veld, waarden)
