"""The workflow's append: the event store activity, run as a local activity within the workflow
task (behind a patch: histories from before it ran it as an ordinary activity), retried with
backoff, and a stream that does not verify turned into a refusal that names it."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.eventstore import CONFLICT, EventStoreActivities, Toegevoegd, Toevoegen

PATCH_LOKALE_APPEND = "append-als-lokale-activiteit"
# The stream holds an event that does not verify where a decision belongs (see EventStore.append).
ONBETROUWBAAR = "StreamOnbetrouwbaar"
APPEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=[CONFLICT],
)


async def voeg_toe(invoer: Toevoegen, duur: timedelta) -> Toegevoegd:
    try:
        return await _append(invoer, duur)
    except ActivityError as e:
        oorzaak = e.cause
        if isinstance(oorzaak, ApplicationError) and oorzaak.type == CONFLICT:
            # Nothing is built on what does not verify: the decision is refused, naming it.
            raise ApplicationError(f"casus {invoer.casus_id}: {oorzaak.message}", type=ONBETROUWBAAR, non_retryable=True) from e
        raise


async def _append(invoer: Toevoegen, duur: timedelta) -> Toegevoegd:
    if workflow.patched(PATCH_LOKALE_APPEND):
        # In the worker's own process, within the workflow task: no extra round trips through the
        # server per action. Idempotent, so a retry after a lost worker stores nothing twice.
        return await workflow.execute_local_activity_method(
            EventStoreActivities.voeg_toe, invoer, start_to_close_timeout=duur, retry_policy=APPEND_RETRY
        )
    return await workflow.execute_activity_method(
        EventStoreActivities.voeg_toe, invoer, start_to_close_timeout=duur, retry_policy=APPEND_RETRY
    )
