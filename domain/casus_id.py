"""A casus id in its one form: lower case, dashed (the store's stream, the workflow's `casus-<id>`).
Any spelling that enters the system (upper case, without dashes, Temporal's workflow id) is turned
into it before it is logged, names a workflow, is read or filtered. Standard library only: the
CLI's client commands use it too."""

from __future__ import annotations

import uuid

WORKFLOW_PREFIX = "casus-"
"""Temporal's workflow id of a casus is `casus-<id>`; an id typed in that form is the casus's id."""
GEEN_CASUS_ID = "is not a casus id (a UUID such as 3f2b…-…)"


def canoniek(waarde: str) -> str | None:
    """The id in its one form; None when `waarde` is none. Only hex digits and dashes: whatever else
    UUID() would also take (braces, `urn:uuid:`, spaces) is no casus id."""
    kaal = waarde.removeprefix(WORKFLOW_PREFIX)
    try:
        gelezen = uuid.UUID(kaal)
    except ValueError:
        return None
    return str(gelezen) if gelezen.hex == kaal.replace("-", "").lower() else None


def getoond(waarde: str) -> str:
    """The value as a refusal quotes it: at most 80 characters."""
    return f"'{waarde[:80]}'"
