from datetime import datetime, timezone

import pytest

from devstack.schedules import next_fire

NOON = datetime(2026, 11, 25, 12, 0, 30, tzinfo=timezone.utc)


def test_daily_cron_fires_at_its_hour_on_the_next_day_once_passed():
    assert next_fire("cron(0 3 * * ? *)", NOON) == datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc)


def test_daily_cron_fires_later_today_when_not_yet_passed():
    assert next_fire("cron(30 18 * * ? *)", NOON) == datetime(2026, 11, 25, 18, 30, tzinfo=timezone.utc)


def test_stepped_minutes_fire_at_the_next_step():
    assert next_fire("cron(*/15 * * * ? *)", NOON) == datetime(2026, 11, 25, 12, 15, tzinfo=timezone.utc)


def test_rate_adds_its_interval():
    assert next_fire("rate(5 minutes)", NOON) == datetime(2026, 11, 25, 12, 5, 30, tzinfo=timezone.utc)
    assert next_fire("rate(1 day)", NOON) == datetime(2026, 11, 26, 12, 0, 30, tzinfo=timezone.utc)


def test_weekly_cron_fires_on_its_next_weekday():
    # NOON is Wednesday 25 November 2026
    assert next_fire("cron(0 4 ? * SUN *)", NOON) == datetime(2026, 11, 29, 4, 0, tzinfo=timezone.utc)
    assert next_fire("cron(0 13 ? * 4 *)", NOON) == datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc)  # 4: Wednesday
    assert next_fire("cron(0 3 ? * MON-TUE *)", NOON) == datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)


def test_cron_with_days_of_the_month_is_refused_rather_than_misread():
    with pytest.raises(ValueError):
        next_fire("cron(0 3 1 * ? *)", NOON)
