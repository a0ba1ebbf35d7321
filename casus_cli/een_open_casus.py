"""IJM-3.7c at the front door: `casus melding` finds the household's open casus in the household read
model and lets the domain decide (domain/huishouden.py).

The window that remains: the read model is written by the projection runner after the melding's
events are stored, so a melding registered a moment ago (the runner polls the log; typically well
under a second) is not yet seen, and two meldingen for one household registered at the same instant
can both pass and start two casussen. Closing it needs one writer that claims the household (a
unique row per open household, or a workflow id derived from the household key) and releases the
claim when the casus closes, with a way back for a claim whose casus never started; not built here.
A retry with the same --sleutel is the same casus, not a second one."""

from __future__ import annotations

from casus_cli.fouten import RefusedError
from domain.huishouden import een_open_casus
from domain.opdrachten import Melden
from domain.stap import Regelset
from domain.weigering import Weigering
from projections import huishouden as radar
from runtime.settings import Settings


def controleer_een_open_casus(settings: Settings, melden: Melden, regelset: Regelset) -> None:
    if regelset.beleid.regels.een_open_casus is None:
        return  # a region without the rule need not read anything
    from casus_cli.inzage import open_store  # the read side imports the action commands

    store, views = open_store(settings)
    try:
        open_casussen = radar.open_casussen(views, melden.huishouden)
    finally:
        store.close()
    try:
        een_open_casus(melden, open_casussen, regelset)
    except Weigering as w:
        raise RefusedError.uit(w) from None
