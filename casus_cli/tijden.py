"""Moments given on the command line: ISO 8601; without an offset, local time in Europe/Amsterdam."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from casus_cli.fouten import RefusedError
from domain.tijd import ZONE, geldig_moment


class Moment(click.ParamType[datetime, Any]):
    name = "moment"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a moment; use ISO 8601, e.g. 2027-03-31T15:00:00+02:00", param, ctx)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=ZONE)
        try:
            return geldig_moment(moment)
        except ValueError as e:
            # A well-formed moment Temporal or the record would refuse is a bad value, not a usage
            # error (CONTRACT.md: exit 1, naming the field), refused before anything is started.
            veld = max(param.opts, key=len).lstrip("-") if param is not None and param.opts else "moment"
            raise RefusedError(str(e), veld=veld) from None


MOMENT = Moment()
