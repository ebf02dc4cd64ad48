"""inbox.business_time: the SLA clock runs only during opening hours, measured in real time."""

import timeit
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from inbox.business_time import Calendar, add, between, is_open

MADRID = ZoneInfo("Europe/Madrid")
MEXICO_CITY = ZoneInfo("America/Mexico_City")
TWO_HOURS = timedelta(hours=2)
WITH_LUNCH = ((time(9), time(13)), (time(14), time(18)))
WEEKDAYS = dict.fromkeys(range(5), WITH_LUNCH)
ALL_DAY = ((time(0), time(0)),)  # 00:00–24:00: time(0) as an end is midnight at the end of the day

# Monday 2026-11-02 is a public holiday in Madrid (Monday following All Saints' Day).
ALL_SAINTS_MONDAY = date(2026, 11, 2)


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def office():
    """Madrid office, Monday to Friday with a lunch break, closed on All Saints' Monday."""
    return Calendar("Europe/Madrid", WEEKDAYS, frozenset({ALL_SAINTS_MONDAY}))


def test_without_a_calendar_add_is_plain_arithmetic_in_utc():
    # 24/7 across the spring-forward night: two real hours, though the wall clock shows three.
    assert add(None, madrid(2026, 3, 29, 1, 30), TWO_HOURS) == utc(2026, 3, 29, 2, 30)
    assert add(None, madrid(2026, 3, 29, 1, 30), TWO_HOURS).tzinfo is UTC


def test_without_a_calendar_between_is_plain_arithmetic_in_utc():
    assert between(None, madrid(2026, 3, 29, 1, 30), madrid(2026, 3, 29, 4, 30)) == TWO_HOURS
    assert between(None, madrid(2026, 3, 29, 4, 30), madrid(2026, 3, 29, 1, 30)) == timedelta(0)


def test_a_friday_evening_message_before_a_holiday_monday_is_due_on_tuesday(office):
    friday_evening = madrid(2026, 10, 30, 17, 30)

    due = add(office, friday_evening, TWO_HOURS)

    assert due == utc(2026, 11, 3, 9, 30)  # Tuesday 10:30 CET
    assert due.astimezone(MADRID) == madrid(2026, 11, 3, 10, 30)
    assert between(office, friday_evening, due) == TWO_HOURS


def test_a_message_during_the_lunch_break_starts_counting_at_14(office):
    assert add(office, madrid(2026, 11, 4, 13, 20), TWO_HOURS) == madrid(2026, 11, 4, 16, 0)


def test_a_message_just_before_lunch_pauses_over_the_break(office):
    # 30 minutes before lunch, the other 90 after it.
    assert add(office, madrid(2026, 11, 4, 12, 30), TWO_HOURS) == madrid(2026, 11, 4, 15, 30)


def test_a_due_time_landing_on_closing_time_is_that_closing_time(office):
    assert add(office, madrid(2026, 11, 4, 16, 0), TWO_HOURS) == madrid(2026, 11, 4, 18, 0)


def test_a_message_at_night_starts_counting_at_the_next_morning_opening(office):
    assert add(office, madrid(2026, 11, 4, 22, 15), TWO_HOURS) == madrid(2026, 11, 5, 11, 0)


@pytest.mark.parametrize("weekend_moment", [madrid(2026, 11, 7, 10, 0), madrid(2026, 11, 8, 23, 59)])
def test_a_weekend_message_waits_for_monday(office, weekend_moment):
    assert add(office, weekend_moment, TWO_HOURS) == madrid(2026, 11, 9, 11, 0)


def test_between_skips_a_weekend_and_a_holiday(office):
    # Friday 17:00–18:00 and Tuesday 09:00–10:00; Saturday, Sunday and Monday are closed.
    assert between(office, madrid(2026, 10, 30, 17, 0), madrid(2026, 11, 3, 10, 0)) == TWO_HOURS


def test_between_skips_the_lunch_break(office):
    assert between(office, madrid(2026, 11, 4, 12, 0), madrid(2026, 11, 4, 15, 0)) == TWO_HOURS


def test_between_outside_opening_hours_is_zero(office):
    assert between(office, madrid(2026, 11, 4, 18, 0), madrid(2026, 11, 5, 9, 0)) == timedelta(0)


def test_is_open_includes_the_opening_and_excludes_the_closing(office):
    assert is_open(office, madrid(2026, 11, 4, 9, 0))
    assert not is_open(office, madrid(2026, 11, 4, 13, 0))
    assert not is_open(office, madrid(2026, 11, 2, 10, 0))  # the holiday
    assert is_open(None, madrid(2026, 11, 2, 3, 0))


def test_a_zone_far_from_europe_gives_the_right_utc_instant():
    # Mexico City has kept UTC-6 all year since 2022.
    mexico = Calendar("America/Mexico_City", dict.fromkeys(range(5), ((time(9), time(18)),)))

    due = add(mexico, datetime(2026, 7, 3, 17, 0, tzinfo=MEXICO_CITY), TWO_HOURS)

    assert due == utc(2026, 7, 6, 16, 0)  # Monday 10:00 in Mexico City


def test_the_start_may_be_given_in_any_zone():
    mexico = Calendar("America/Mexico_City", dict.fromkeys(range(5), ((time(9), time(18)),)))

    # Friday 17:00 in Mexico City, written as Saturday 01:00 Madrid time.
    assert add(mexico, madrid(2026, 7, 4, 1, 0), TWO_HOURS) == utc(2026, 7, 6, 16, 0)


def test_a_range_ending_at_midnight_is_written_with_time_zero():
    late_shift = Calendar("Europe/Madrid", dict.fromkeys(range(5), ((time(22), time(0)),)))

    assert add(late_shift, madrid(2026, 11, 4, 23, 0), TWO_HOURS) == madrid(2026, 11, 5, 23, 0)
    assert between(late_shift, madrid(2026, 11, 4, 12, 0), madrid(2026, 11, 5, 12, 0)) == TWO_HOURS
    assert is_open(late_shift, madrid(2026, 11, 4, 23, 59, 59, 999999))
    assert not is_open(late_shift, madrid(2026, 11, 5, 0, 0))


def test_time_max_as_an_end_is_refused_in_favour_of_time_zero():
    with pytest.raises(ValueError, match="time\\(0\\)"):
        Calendar("Europe/Madrid", {0: ((time(22), time.max),)})


def test_spring_forward_weekend_of_a_24_7_calendar_is_47_hours():
    always = Calendar("Europe/Madrid", dict.fromkeys(range(7), ALL_DAY))

    assert between(always, madrid(2026, 3, 28, 0, 0), madrid(2026, 3, 30, 0, 0)) == timedelta(hours=47)
    assert add(always, madrid(2026, 3, 29, 1, 30), TWO_HOURS) == madrid(2026, 3, 29, 4, 30)


def test_fall_back_weekend_of_a_24_7_calendar_is_49_hours():
    always = Calendar("Europe/Madrid", dict.fromkeys(range(7), ALL_DAY))

    assert between(always, madrid(2026, 10, 24, 0, 0), madrid(2026, 10, 26, 0, 0)) == timedelta(hours=49)
    assert add(always, madrid(2026, 10, 25, 1, 30), TWO_HOURS) == utc(2026, 10, 25, 1, 30)  # 02:30 CET


@pytest.mark.parametrize("dst_sunday", [date(2026, 3, 29), date(2026, 10, 25)])
def test_a_morning_range_is_four_hours_even_on_a_dst_change_day(dst_sunday):
    sunday_morning = Calendar("Europe/Madrid", {6: ((time(9), time(13)),)})
    day_start = datetime.combine(dst_sunday, time(0), MADRID)

    assert between(sunday_morning, day_start, day_start + timedelta(days=1)) == timedelta(hours=4)


def test_a_range_inside_the_spring_forward_gap_has_no_business_time():
    night = Calendar("Europe/Madrid", {6: ((time(2), time(3)),)})

    assert between(night, madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 29, 12, 0)) == timedelta(0)


def test_a_non_existent_opening_time_opens_when_the_clock_jumps_past_it():
    # 02:30 does not exist on 2026-03-29: the range opens at 03:00 CEST (01:00 UTC).
    night = Calendar("Europe/Madrid", {6: ((time(2, 30), time(4)),)})

    assert between(night, madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 29, 12, 0)) == timedelta(hours=1)
    assert add(night, madrid(2026, 3, 29, 0, 0), timedelta(minutes=1)) == utc(2026, 3, 29, 1, 1)


def test_a_range_over_the_fall_back_hour_counts_the_hour_twice():
    night = Calendar("Europe/Madrid", {6: ((time(2), time(3)),)})

    assert between(night, madrid(2026, 10, 25, 0, 0), madrid(2026, 10, 25, 12, 0)) == TWO_HOURS


def test_an_ambiguous_opening_time_opens_at_its_first_occurrence():
    # 02:30 happens twice on 2026-10-25; the range opens at 02:30 CEST (00:30 UTC).
    night = Calendar("Europe/Madrid", {6: ((time(2, 30), time(5)),)})

    assert add(night, madrid(2026, 10, 25, 0, 0), timedelta(minutes=1)) == utc(2026, 10, 25, 0, 31)
    assert between(night, madrid(2026, 10, 25, 0, 0), madrid(2026, 10, 25, 12, 0)) == timedelta(hours=3, minutes=30)


def test_public_holidays_of_madrid_2026_come_from_the_holidays_package():
    calendar = Calendar.with_public_holidays("Europe/Madrid", WEEKDAYS, "ES", subdivision="MD", years=[2026])

    assert {date(2026, 1, 1), date(2026, 12, 25)} <= calendar.holidays
    assert date(2026, 5, 2) in calendar.holidays  # Madrid Day: proves the subdivision is used
    assert ALL_SAINTS_MONDAY in calendar.holidays
    assert {day.year for day in calendar.holidays} == {2026}


def test_public_holidays_are_combined_with_extra_closed_dates():
    company_day = date(2026, 6, 15)

    calendar = Calendar.with_public_holidays(
        "Europe/Madrid", WEEKDAYS, "ES", subdivision="MD", years=[2026], extra=[company_day]
    )

    assert company_day in calendar.holidays
    assert date(2026, 12, 25) in calendar.holidays


def test_public_holidays_push_the_due_time_like_explicit_ones():
    calendar = Calendar.with_public_holidays("Europe/Madrid", WEEKDAYS, "ES", subdivision="MD", years=[2026])

    assert add(calendar, madrid(2026, 10, 30, 17, 30), TWO_HOURS) == utc(2026, 11, 3, 9, 30)


def test_an_unknown_country_is_a_value_error():
    with pytest.raises(ValueError):
        Calendar.with_public_holidays("Europe/Madrid", WEEKDAYS, "XX", years=[2026])


def test_a_calendar_with_no_opening_hours_is_refused_instead_of_looping():
    with pytest.raises(ValueError, match="at least one opening range"):
        Calendar("Europe/Madrid", {})
    with pytest.raises(ValueError, match="at least one opening range"):
        Calendar("Europe/Madrid", {0: ()})


def test_overlapping_ranges_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        Calendar("Europe/Madrid", {0: ((time(9), time(13)), (time(12), time(18)))})


def test_naive_datetimes_are_refused(office):
    with pytest.raises(ValueError, match="aware"):
        add(office, datetime(2026, 11, 4, 10, 0), TWO_HOURS)


def test_add_then_between_round_trips_for_every_hour_of_a_week(office):
    week_start = madrid(2026, 10, 26, 0, 0)  # includes the Monday holiday of the next week
    for hour in range(7 * 24):
        start = week_start + timedelta(hours=hour, minutes=17)
        for duration in (timedelta(minutes=45), TWO_HOURS, timedelta(hours=19)):
            assert between(office, start, add(office, start, duration)) == duration, (start, duration)


def test_a_due_time_weeks_away_takes_well_under_a_millisecond(office):
    # ~10 business days of waiting: the walk must go day by day, never minute by minute.
    runs = 200
    seconds = timeit.timeit(lambda: add(office, madrid(2026, 10, 30, 17, 30), timedelta(hours=77)), number=runs)
    assert seconds / runs < 0.001
