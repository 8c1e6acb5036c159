"""When an EventBridge schedule expression fires next: `rate(...)` and the daily/hourly `cron(...)`
forms (minutes and hours as numbers, lists, ranges, `*` or `*/n`; every day of every month)."""

import re
from datetime import datetime, timedelta

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


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
    if any(f not in ("*", "?") for f in (day_of_month, month, day_of_week, year)):
        raise ValueError(f"only daily cron schedules run locally: {expression!r}")
    allowed_minutes, allowed_hours = _values(minutes, 59), _values(hours, 23)
    candidate = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(60 * 24 + 1):
        if candidate.minute in allowed_minutes and candidate.hour in allowed_hours:
            return candidate
        candidate += timedelta(minutes=1)
    raise ValueError(f"schedule never fires: {expression!r}")
