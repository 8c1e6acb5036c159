"""When an EventBridge schedule expression fires next: `rate(...)` and the daily, hourly and weekly
`cron(...)` forms (minutes and hours as numbers, lists, ranges, `*` or `*/n`; every day of every
month, or the days of the week named, `SUN`-`SAT` or 1-7 with 1 for Sunday as EventBridge counts)."""

import re
from datetime import datetime, timedelta

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _values(field: str, upper: int) -> set[int]:
    values = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            start, end = 0, upper
        elif "-" in base:
            start, end = (int(v) for v in base.split("-"))
        else:
            start = end = int(base)
        values.update(range(start, end + 1, int(step) if step else 1))
    return values


def _weekdays(field: str) -> set[int] | None:
    """The days of the week of a cron's day-of-week field as Python counts them (Monday 0); None: every day."""
    if field in ("*", "?"):
        return None
    days = set()
    for part in field.split(","):
        first, _, last = part.partition("-")
        start = _WEEKDAYS.get(first.upper()) or int(first)
        end = (_WEEKDAYS.get(last.upper()) or int(last)) if last else start
        days.update((day - 2) % 7 for day in range(start, end + 1))
    return days


def next_fire(expression: str, after: datetime) -> datetime:
    """The first time strictly after `after` that the schedule fires (UTC, as EventBridge)."""
    rate = _RATE.match(expression)
    if rate:
        seconds = int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")]
        return after + timedelta(seconds=seconds)
    cron = _CRON.match(expression)
    if not cron:
        raise ValueError(f"unsupported schedule expression {expression!r}")
    minutes, hours, day_of_month, month, day_of_week, year = cron.groups()
    if any(f not in ("*", "?") for f in (day_of_month, month, year)):
        raise ValueError(f"only daily and weekly cron schedules run locally: {expression!r}")
    allowed_minutes, allowed_hours, allowed_days = _values(minutes, 59), _values(hours, 23), _weekdays(day_of_week)
    candidate = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(60 * 24 * 7 + 1):
        if candidate.minute in allowed_minutes and candidate.hour in allowed_hours and \
                (allowed_days is None or candidate.weekday() in allowed_days):
            return candidate
        candidate += timedelta(minutes=1)
    raise ValueError(f"schedule never fires: {expression!r}")
