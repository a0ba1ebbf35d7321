"""A refused step: the rule that refuses it and what would be accepted."""

from __future__ import annotations


class Weigering(Exception):  # noqa: N818 - the agreements' term for a refusal
    """A step the agreements do not allow; nothing of it is recorded."""

    def __init__(self, regel: str, melding: str, veld: str | None = None) -> None:
        super().__init__(f"{regel}: {melding}")
        self.regel = regel
        self.melding = melding
        self.veld = veld
