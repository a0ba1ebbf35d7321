"""How the actor of a recorded step is shown (the dossier's `actor`, an erasure's record): each part once."""

from __future__ import annotations

import pytest

from domain.partijen import Actor


@pytest.mark.parametrize(
    ("actor", "getoond"),
    [
        (Actor(partij="veilig-thuis", medewerker="anna", subject="veilig-thuis/anna"), "veilig-thuis/anna"),
        (Actor(partij="veilig-thuis", medewerker="f81d4fae", subject="f81d4fae"), "veilig-thuis/f81d4fae"),
        (Actor(partij="veilig-thuis", medewerker="Anna de Vries", subject="f81d4fae"), "veilig-thuis/Anna de Vries (f81d4fae)"),
        (Actor(partij="veilig-thuis", medewerker="test"), "veilig-thuis/test"),
        (Actor(partij="systeem"), "systeem"),
    ],
)
def test_the_actor_is_shown_with_its_subject_only_when_the_subject_is_not_the_name_again(actor: Actor, getoond: str) -> None:
    assert actor.wie == getoond
