"""`casus herstel` with another spelling of a running casus's id (upper case, without dashes, as
Temporal's `casus-` workflow id) is that casus: it answers that its workflow runs and starts no
second workflow beside it on the same event stream."""

from __future__ import annotations

import pytest
from temporalio.service import RPCError, RPCStatusCode

from domain.draaiboek import t
from domain.stap import Regelset
from service.herstel import herstel_casus
from tests.workflows.conftest import Casusbank


async def test_herstel_by_another_spelling_of_a_running_casuss_id_starts_no_workflow(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    casus_id = handle.id.removeprefix("casus-")
    anders = [casus_id.upper(), casus_id.replace("-", ""), f"casus-{casus_id.upper()}"]
    for spelling in anders:
        uit = await herstel_casus(bank.env.client, bank.store, spelling, bank.task_queue)
        assert (uit.casus_id, uit.uitkomst) == (casus_id, "loopt"), uit
    for spelling in anders:
        with pytest.raises(RPCError) as geen:
            await bank.env.client.get_workflow_handle(f"casus-{spelling.removeprefix('casus-')}").describe()
        assert geen.value.status == RPCStatusCode.NOT_FOUND, f"a second workflow runs as casus-{spelling}"
