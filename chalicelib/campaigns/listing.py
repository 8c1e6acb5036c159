"""Pages of the campaigns and templates lists: a status filter with a count per status, sorting by
name or date, both ways, and paging by an opaque cursor.

An account's campaigns and templates are read whole by one query each (DynamoDB pages through
them), so the counts per status are exact; they are then sorted here, and a page continues after
the last row of the one before (a keyset cursor: the sort value and id of that row, with the
kind of list, sort and filter it belongs to). A cursor is base64 JSON, checked field by field: one that was
altered, made up, or belongs to another sort or filter is refused with a 400 page, never a 500.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from chalicelib import errors
from chalicelib.i18n import N_

PAGE_SIZE = 25
SORTS = ("date", "name")
ORDERS = ("desc", "asc")
STALE_CURSOR = N_("This page link is not valid any more. Start from the first page.")


@dataclass(frozen=True)
class Listing:
    sort: str
    order: str
    state: str | None  # the status filter (campaigns), None: all

    @classmethod
    def from_query(cls, query: dict, states=()) -> "Listing":
        """What the page's links ask for; anything unknown falls back to the default."""
        sort = query.get("sort") if query.get("sort") in SORTS else SORTS[0]
        default_order = "desc" if sort == "date" else "asc"
        order = query.get("order") if query.get("order") in ORDERS else default_order
        state = query.get("state") if query.get("state") in states else None
        return cls(sort, order, state)


    def link(self, path: str, **changes) -> str:
        """The address of this listing with some of it changed (`state=None`: every status)."""
        from urllib.parse import urlencode

        values = {"state": self.state, "sort": self.sort, "order": self.order, **changes}
        return f"{path}?{urlencode({name: value for name, value in values.items() if value})}"


SORT_CHOICES = (("date", "desc", N_("Newest first")), ("date", "asc", N_("Oldest first")),
                ("name", "asc", N_("Name A-Z")), ("name", "desc", N_("Name Z-A")))


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None
    first: bool  # this is the first page


def _sort_value(row, sort: str, date_attribute: str) -> str:
    if sort == "name":
        return row.name.casefold()
    return getattr(row, date_attribute).isoformat()


def encode_cursor(listing: Listing, kind: str, value: str, row_id: str) -> str:
    data = json.dumps([kind, listing.sort, listing.order, listing.state or "", value, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(listing: Listing, kind: str, cursor: str) -> tuple[str, str]:
    """(sort value, id) of the row a page continues after; MalformedRequest for anything else."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        data = None
    if not (isinstance(data, list) and len(data) == 6 and all(isinstance(part, str) for part in data)
            and data[:4] == [kind, listing.sort, listing.order, listing.state or ""]):
        raise errors.MalformedRequest(STALE_CURSOR)
    return data[4], data[5]


def page_of(rows, listing: Listing, cursor: str | None, id_attribute: str, date_attribute: str,
            size: int | None = None) -> Page:
    """The page of `rows` (already filtered) after `cursor`, in the listing's order."""
    def key(row):
        return _sort_value(row, listing.sort, date_attribute), getattr(row, id_attribute)

    ordered = sorted(rows, key=key, reverse=listing.order == "desc")
    if cursor:
        after = decode_cursor(listing, id_attribute, cursor)
        ordered = [row for row in ordered if (key(row) < after if listing.order == "desc" else key(row) > after)]
    size = size or PAGE_SIZE
    page = ordered[:size]
    more = len(ordered) > size
    next_cursor = encode_cursor(listing, id_attribute, *key(page[-1])) if more and page else None
    return Page(page, next_cursor, not cursor)
