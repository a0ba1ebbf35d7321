"""CasusWorkflow: one durable process per casus, for as long as the casus runs.

Every action is an Update whose validator runs the decider, so a refused action never enters
history. Timers are derived from the domain's open deadlines; at a deadline the clock tick goes
through the same decider. The only clock is `workflow.now()`, shifted by a fixed offset in
simulation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

with workflow.unsafe.imports_passed_through():
    from activities.eventstore import Toegevoegd, Toevoegen
    from domain import weergave
    from domain.beslissen import decide, decide_op_tijd, verstrijk, weiger_beeindiging
    from domain.evolueren import evolve
    from domain.gebeurtenissen import Gebeurtenis
    from domain.herzien import herzie_termijnen
    from domain.opdrachten import Verzoek
    from domain.tijd import Kalender
    from domain.toegang import niet_betrokken
    from domain.toestand import Casus
    from domain.weigering import Weigering
    from workflows import zoekattributen as za
    from workflows.modellen import SLEUTELS_BEWAARD, WEIGERING, CasusStart, Resultaat, Vastgelegd, weigering
    from workflows.vastleggen import ONBETROUWBAAR, voeg_toe
    from workflows.wekkers import Wekkers

__all__ = ["ONBETROUWBAAR", "WEIGERING", "CasusStart", "CasusWorkflow", "Resultaat", "Vastgelegd"]

PATCH_WEKKERS = "termijntimers-niet-annuleren"  # workflows/wekkers.py: why
PATCH_HERLEIDEN = "t5a-klok-herleiden"
# A decision that meets the events of other decisions in its place catches up and decides again;
# more rounds than this mean something else appends to the stream, which no retry can settle.
INHAAL_RONDES = 5


@workflow.defn(name="Casus")
class CasusWorkflow:
    @workflow.init
    def __init__(self, start: CasusStart) -> None:
        self._start = start
        self._casus: Casus | None = start.casus
        self._lock = asyncio.Lock()
        self._gewijzigd = False
        self._laatste_hash: str | None = None  # from the last append: the next one need not read it back
        self._zoekwaarden: dict[str, Any] = {}  # what this run last upserted, per search attribute
        self._sleutels: dict[str, Vastgelegd] = dict(start.sleutels)
        self._wekkers = Wekkers()
        # The revision of 2026-11-30 (T-5a re-deriving what the clock did before a late fact, every
        # melder's anonymity, T-5b's latest incident, IJM-3.3.6 after a dienst) decides otherwise than
        # before; a validator may not call `patched`, so the run decides once, at its start, whether
        # its history was decided with it.
        self._herleiden = workflow.patched(PATCH_HERLEIDEN)

    @workflow.run
    async def run(self, start: CasusStart) -> Casus:
        if self._casus is None:
            # The starter checked the melding against its own clock; a server clock a little
            # behind it must not turn the receipt into a moment in the future.
            await self._besluit(f"melding:{start.melding.casus_id}", self._meld)
        casus = self._huidig()
        while casus.fase != "afgesloten":
            try:
                await self._wacht_op_termijn_of_actie(casus.volgende_termijn())
            except (asyncio.CancelledError, ActivityError) as e:
                if not is_cancelled_exception(e):
                    raise
                # A casus ends only by the agreements: a cancel request is recorded and refused.
                taak = asyncio.current_task()
                if taak is not None:
                    taak.uncancel()
                await self._besluit(f"beeindiging:{self._huidig().versie}", self._weiger_beeindiging)
            info = workflow.info()
            if info.is_continue_as_new_suggested() or info.get_current_history_length() > self._start.geschiedenis_limiet:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._start.model_copy(update={"casus": self._huidig(), "sleutels": self._sleutels}))
            casus = self._huidig()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._huidig()

    def _meld(self, casus: Casus | None) -> list[Gebeurtenis]:
        melding = self._start.melding
        try:
            return decide(casus, melding, self._start.regelset, max(self._nu(), melding.ontvangen))
        except Weigering as w:
            raise weigering(w) from None

    def _weiger_beeindiging(self, casus: Casus | None) -> list[Gebeurtenis]:
        workflow.logger.warning("cancel request refused", extra={"casus_id": self._start.melding.casus_id})
        return weiger_beeindiging(self._huidig(casus), self._start.regelset, self._nu())

    def _tik(self, casus: Casus | None) -> list[Gebeurtenis]:
        return verstrijk(self._huidig(casus), self._start.regelset, self._nu())

    async def _wacht_op_termijn_of_actie(self, termijn: datetime | None) -> None:
        if termijn is not None and termijn <= self._nu():
            sleutel = f"tik:{self._huidig().versie}:{termijn.isoformat()}"
            await self._besluit(sleutel, self._tik)
            if self._huidig().volgende_termijn() == termijn:
                # The tick's key is in the stream, yet the deadline is still open: the stream's keys do
                # not hold together (altered past the application). The deadline still lapses.
                workflow.logger.warning("a due tick was recorded as taken; deciding it again", extra={"sleutel": sleutel})
                await self._besluit(f"{sleutel}:opnieuw", self._tik)
            return
        self._gewijzigd = False
        if workflow.patched(PATCH_WEKKERS):
            samenvatting = None if termijn is None else weergave.wekker(self._huidig().termijnen, termijn)
            wekker = None if termijn is None else self._wekkers.voor(termijn, self._nu(), samenvatting)
            await workflow.wait_condition(lambda: self._gewijzigd or (wekker is not None and wekker.done()))
            return
        timeout = None if termijn is None else termijn - self._nu()
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(lambda: self._gewijzigd, timeout=timeout)

    # A melding the workflow refuses fails the run, and this update ends with it unanswered: the
    # caller reads the refusal from the workflow's failure (service/sturen.py `gemeld`).
    @workflow.update(name="gemeld", unfinished_policy=workflow.HandlerUnfinishedPolicy.ABANDON)
    async def gemeld(self) -> Casus:
        """Returns once the melding is in the event store."""
        await workflow.wait_condition(lambda: self._casus is not None)
        return self._huidig()

    @workflow.update(name="actie")
    async def actie(self, verzoek: Verzoek) -> Resultaat:
        sleutel = self._update_sleutel()

        def beslis(casus: Casus | None) -> list[Gebeurtenis]:
            try:
                return decide_op_tijd(self._huidig(casus), verzoek, self._start.regelset, self._nu(), self._herleiden)
            except Weigering as w:
                # Another action got in between validation and execution.
                raise self._geweigerd(verzoek, w) from None

        vastgelegd = await self._besluit(sleutel, beslis)
        actie = verzoek.opdracht.actie
        workflow.metric_meter().create_counter("casus_acties_total", "actions recorded").add(
            1, {"actie": actie, "beleid": self._huidig().beleid}
        )
        workflow.logger.info("action recorded", extra={"casus_id": self._huidig().casus_id, "actie": actie, "versie": vastgelegd.versie})
        return Resultaat(versie=vastgelegd.versie, gebeurtenissen=vastgelegd.gebeurtenissen, casus=self._huidig())

    @actie.validator
    def _valideer(self, verzoek: Verzoek) -> None:
        if self._casus is None:
            raise ApplicationError("the casus is still being registered; try again", type="NogNietGemeld")
        if self._update_sleutel() in self._sleutels:
            return  # already in the stream: the handler answers with what was stored
        try:
            decide_op_tijd(self._casus, verzoek, self._start.regelset, self._nu(), self._herleiden)
        except Weigering as w:
            raise self._geweigerd(verzoek, w) from None
        # Only in the validator, which a replay does not run: histories recorded before it replay alike.
        if (buiten := niet_betrokken(self._casus, verzoek.actor, self._start.regelset.beleid.regels.rollen)) is not None:
            raise self._geweigerd(verzoek, buiten)

    @staticmethod
    def _update_sleutel() -> str:
        info = workflow.current_update_info()
        if info is None:
            raise ApplicationError("an action arrives only as an update", non_retryable=True)
        return f"actie:{info.id}"

    def _geweigerd(self, verzoek: Verzoek, w: Weigering) -> ApplicationError:
        actie = verzoek.opdracht.actie
        workflow.metric_meter().create_counter("casus_weigeringen_total", "actions refused").add(1, {"actie": actie, "regel": w.regel})
        casus_id = self._start.melding.casus_id
        workflow.logger.info("action refused", extra={"casus_id": casus_id, "actie": actie, "regel": w.regel, "melding": w.melding})
        return weigering(w)

    @workflow.update(name="kalender")
    async def kalender(self, kalender: Kalender) -> Resultaat:
        """T-6: a later calendar version re-sets the provisional deadlines it moves (`TermijnHerzien`);
        the deadlines set from then on are counted with it (carried over a continue-as-new)."""
        nieuw = self._start.regelset.model_copy(update={"kalender": kalender})
        vastgelegd = await self._besluit(f"kalender:{kalender.versie}", lambda c: [*herzie_termijnen(self._huidig(c), nieuw, self._nu())])
        self._start = self._start.model_copy(update={"regelset": nieuw})
        return Resultaat(versie=vastgelegd.versie, gebeurtenissen=vastgelegd.gebeurtenissen, casus=self._huidig())

    @workflow.query(name="toestand")
    def toestand(self) -> Casus | None:
        return self._casus

    def _nu(self) -> datetime:
        """The recording moment, to the second (the record's resolution)."""
        return (workflow.now() + timedelta(seconds=self._start.klok_verschuiving_s)).replace(microsecond=0)

    def _huidig(self, casus: Casus | None = None) -> Casus:
        casus = casus or self._casus
        if casus is None:
            raise ApplicationError("the casus has no melding yet", non_retryable=True)
        return casus

    async def _besluit(self, sleutel: str, beslis: Callable[[Casus | None], list[Gebeurtenis]]) -> Vastgelegd:
        """Decides and appends under `sleutel`, the decision's key, the same on every retry. The
        stream is the record the workflow believes: a decision found stored is answered as stored,
        and events of other decisions found in its place are caught up on before deciding again."""
        async with self._lock:
            for _ in range(INHAAL_RONDES):
                if sleutel in self._sleutels:
                    return self._sleutels[sleutel]
                gebeurtenissen = beslis(self._casus)
                versie = self._casus.versie if self._casus else 0
                if not gebeurtenissen:
                    return Vastgelegd(versie=versie, gebeurtenissen=())
                toegevoegd = await self._voeg_toe(gebeurtenissen, versie, sleutel)
                opgeslagen = gebeurtenissen if toegevoegd.gebeurtenissen is None else list(toegevoegd.gebeurtenissen)
                sleutels = toegevoegd.sleutels or (sleutel,) * len(opgeslagen)
                self._evolueer(opgeslagen, sleutels)
                if toegevoegd.eigen:
                    return self._sleutels.get(sleutel) or Vastgelegd(versie=self._huidig().versie, gebeurtenissen=())
        # Not an ApplicationError: the workflow task fails and is retried, the workflow never fails of it.
        raise RuntimeError(f"casus {self._start.melding.casus_id}: the stream keeps moving under decision {sleutel}")

    async def _voeg_toe(self, gebeurtenissen: list[Gebeurtenis], versie: int, sleutel: str) -> Toegevoegd:
        invoer = Toevoegen(
            casus_id=self._start.melding.casus_id,
            verwacht=versie,
            gebeurtenissen=tuple(gebeurtenissen),
            vorige_hash=self._laatste_hash,
            sleutel=sleutel,
        )
        toegevoegd = await voeg_toe(invoer, timedelta(seconds=self._start.activiteit_timeout_s))
        self._laatste_hash = toegevoegd.hash
        return toegevoegd

    def _evolueer(self, gebeurtenissen: Sequence[Gebeurtenis], sleutels: Sequence[str | None]) -> None:
        """Evolves the state through events the stream holds, remembering each decision's key."""
        casus = self._casus
        for e, sleutel in zip(gebeurtenissen, sleutels, strict=True):
            casus = evolve(casus, e)
            if sleutel is not None:
                eerder = self._sleutels.pop(sleutel, None)
                typen = (eerder.gebeurtenissen if eerder and eerder.versie == casus.versie - 1 else ()) + (e.type,)
                self._sleutels[sleutel] = Vastgelegd(versie=casus.versie, gebeurtenissen=typen)
        while len(self._sleutels) > SLEUTELS_BEWAARD:
            del self._sleutels[next(iter(self._sleutels))]
        self._casus = casus
        self._zoekattributen(self._huidig())
        # Temporal's UI shows what the casus waits for; details are metadata, not history.
        workflow.set_current_details(weergave.huidige_stand(self._huidig()))
        self._gewijzigd = True

    def _zoekattributen(self, casus: Casus) -> None:
        updates = za.bij_te_werken(casus, self._zoekwaarden)
        if updates:
            workflow.upsert_search_attributes(updates)
