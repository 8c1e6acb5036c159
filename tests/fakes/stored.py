"""How values come back from DynamoDB through PynamoDB, for the in-memory repositories."""

import json
from datetime import datetime, timezone


def utc(moment: datetime | None) -> datetime | None:
    """A UTCDateTimeAttribute round trip: aware and in UTC (a naive time is taken as UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def json_value(value):
    """A JSONAttribute round trip: tuples come back as lists, keys as text; a value JSON cannot hold fails."""
    return None if value is None else json.loads(json.dumps(value))


def page_of(rows, order, after: tuple | None, limit: int):
    """One page of `rows` in query order (`order` gives each row's place) after the place `after`
    (None: from the start), and its last row when the page is full, else None: DynamoDB gives a
    LastEvaluatedKey whenever it stopped at the limit, so a full last page is followed by an empty one."""
    rows = sorted(rows, key=order)
    if after is not None:
        rows = [row for row in rows if order(row) > after]
    page = rows[:limit]
    return page, (page[-1] if page and len(page) == limit else None)
