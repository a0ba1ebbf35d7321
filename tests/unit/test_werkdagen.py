"""T-1..T-4: the working-day calendar and the counting of terms, against the law's list."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.tijd import (
    ZONE,
    begin_werkdag,
    einde_kalenderdag,
    einde_na_maanden,
    einde_werkdag,
    maanden_later,
    na_uren,
    paaszondag,
)
from runtime.policies import load_calendar

KALENDER = load_calendar()

# Algemene termijnenwet art. 3 lid 1-3 with the decree days of 2026-2028 (RULES.md T-1).
FEESTDAGEN = {
    2026: [
        date(2026, 1, 1), date(2026, 1, 2), date(2026, 4, 3), date(2026, 4, 6), date(2026, 4, 27),
        date(2026, 5, 5), date(2026, 5, 14), date(2026, 5, 15), date(2026, 5, 25), date(2026, 12, 25),
        date(2026, 12, 26),
    ],
    2027: [
        date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 4, 27), date(2027, 5, 5),
        date(2027, 5, 6), date(2027, 5, 7), date(2027, 5, 17), date(2027, 12, 25), date(2027, 12, 26),
    ],
    2028: [
        date(2028, 1, 1), date(2028, 4, 14), date(2028, 4, 17), date(2028, 4, 27), date(2028, 4, 28),
        date(2028, 5, 5), date(2028, 5, 25), date(2028, 5, 26), date(2028, 6, 5), date(2028, 12, 25),
        date(2028, 12, 26),
    ],
}  # fmt: skip


def t(tekst: str) -> datetime:
    return datetime.fromisoformat(tekst)


@pytest.mark.parametrize("jaar", sorted(FEESTDAGEN))
def test_T_1_the_calendar_lists_exactly_the_days_of_the_algemene_termijnenwet(jaar: int) -> None:
    assert [f.datum for f in KALENDER.feestdagen(jaar)] == FEESTDAGEN[jaar]


@pytest.mark.parametrize("jaar", sorted(FEESTDAGEN))
def test_T_1_working_days_are_weekdays_that_are_not_feestdagen(jaar: int) -> None:
    dag = date(jaar, 1, 1)
    while dag.year == jaar:
        verwacht = dag.weekday() < 5 and dag not in FEESTDAGEN[jaar]
        assert KALENDER.is_werkdag(dag) is verwacht, dag
        dag += timedelta(days=1)


def test_T_1_5_may_is_a_holiday_in_a_non_lustrum_year() -> None:
    assert not KALENDER.is_werkdag(date(2027, 5, 5))
    assert not KALENDER.is_werkdag(date(2026, 5, 5))


def test_T_1_7_may_2027_is_a_decree_day_with_its_source() -> None:
    dag = next(f for f in KALENDER.feestdagen(2027) if f.datum == date(2027, 5, 7))
    assert "art. 3 lid 3" in dag.grond and "7 mei 2027" in dag.grond
    assert not KALENDER.is_werkdag(date(2027, 5, 7))


def test_T_1_koningsdag_moves_to_26_april_when_27_april_is_a_sunday() -> None:
    assert date(2025, 4, 26) in [f.datum for f in KALENDER.feestdagen(2025)]
    assert date(2025, 4, 27) not in [f.datum for f in KALENDER.feestdagen(2025)]


def test_T_1_goede_vrijdag_follows_easter() -> None:
    assert paaszondag(2027) == date(2027, 3, 28)
    assert date(2027, 3, 26) in [f.datum for f in KALENDER.feestdagen(2027)]


def test_T_1_a_regional_closing_day_is_not_a_working_day() -> None:
    regionaal = KALENDER.met_sluitingsdagen((date(2027, 3, 25),))
    assert KALENDER.is_werkdag(date(2027, 3, 25))
    assert not regionaal.is_werkdag(date(2027, 3, 25))


def test_T_2_five_working_days_after_thursday_25_march_2027_end_on_monday_5_april() -> None:
    # Good Friday 26 March and Easter Monday 29 March are not working days.
    assert einde_werkdag(KALENDER, t("2027-03-25T10:00:00+01:00"), 5) == t("2027-04-06T00:00:00+02:00")


def test_T_2_the_sixth_working_day_starts_at_00_00_on_tuesday_6_april_2027() -> None:
    assert begin_werkdag(KALENDER, t("2027-03-25T10:00:00+01:00"), 6) == t("2027-04-06T00:00:00+02:00")


def test_T_2_the_day_of_receipt_is_day_0_whatever_its_hour_or_kind() -> None:
    late_saturday = t("2027-01-09T23:59:00+01:00")
    assert begin_werkdag(KALENDER, late_saturday, 1) == t("2027-01-11T00:00:00+01:00")
    early_monday = t("2027-01-11T00:01:00+01:00")
    assert begin_werkdag(KALENDER, early_monday, 1) == t("2027-01-12T00:00:00+01:00")


def test_T_2_counting_skips_the_ascension_bridge_of_2027() -> None:
    # Wed 5 May, Thu 6 May (Hemelvaart), Fri 7 May (decree) are no working days.
    assert begin_werkdag(KALENDER, t("2027-05-04T09:00:00+02:00"), 1) == t("2027-05-10T00:00:00+02:00")


def test_T_3_fourteen_calendar_days_end_at_the_end_of_day_14() -> None:
    assert einde_kalenderdag(t("2027-04-01T11:00:00+02:00"), 14) == t("2027-04-16T00:00:00+02:00")


@pytest.mark.parametrize(
    ("van", "maanden", "tot"),
    [
        (date(2027, 5, 31), 3, date(2027, 8, 31)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 3, 1), 12, date(2029, 3, 1)),
    ],
)
def test_T_3_months_keep_the_day_clamped_to_the_end_of_the_month(van: date, maanden: int, tot: date) -> None:
    assert maanden_later(van, maanden) == tot


def test_T_3_a_term_in_months_ends_at_the_end_of_that_day() -> None:
    assert einde_na_maanden(t("2028-03-01T10:00:00+01:00"), 3) == t("2028-06-02T00:00:00+02:00")


def test_T_4_deadlines_across_a_dst_change_fall_on_local_midnight() -> None:
    # Summer time starts on 28 March 2027: the deadline is local midnight, not receipt + N*24h.
    uiterlijk = einde_kalenderdag(t("2027-03-20T10:00:00+01:00"), 14)
    assert uiterlijk == datetime(2027, 4, 4, 0, 0, tzinfo=ZONE)
    assert uiterlijk.utcoffset() == timedelta(hours=2)


def test_T_4_hours_are_absolute_across_a_dst_change() -> None:
    assert na_uren(t("2027-03-27T12:00:00+01:00"), 72) == t("2027-03-30T13:00:00+02:00")
