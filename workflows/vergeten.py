"""`HuishoudenVergetenWorkflow`: once a household's key is destroyed, its erasure is recorded in
every casus of the household by the worker (activities/vergeten.py). One workflow per household and
key generation (`vergeten-<household>-<generation>`): asking again attaches to it."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.vergeten import VergetenVastgelegd, VergetenVastleggen


def workflow_id(huishouden: str, generatie: int) -> str:
    return f"vergeten-{huishouden}-{generatie}"


@workflow.defn(name="HuishoudenVergeten")
class HuishoudenVergetenWorkflow:
    @workflow.run
    async def run(self, invoer: VergetenVastleggen) -> VergetenVastgelegd:
        uitslag: VergetenVastgelegd = await workflow.execute_activity(
            "vergeten_vastleggen",
            invoer,
            result_type=VergetenVastgelegd,
            start_to_close_timeout=timedelta(minutes=5),
            # A database that is down is waited out: the key is gone already, the record must follow.
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)),
        )
        return uitslag
