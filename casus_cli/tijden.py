"""Moments given on the command line: ISO 8601; without an offset, local time in Europe/Amsterdam."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from domain.tijd import ZONE


class Moment(click.ParamType[datetime, Any]):
    name = "moment"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a moment; use ISO 8601, e.g. 2027-03-31T15:00:00+02:00", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=ZONE)


MOMENT = Moment()
