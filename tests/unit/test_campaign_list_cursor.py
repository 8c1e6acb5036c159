"""The campaigns and templates lists page by a keyset cursor (campaigns/listing.py): each row once, in
order, whatever the page size; a cursor of another list, sort or filter, or a made-up one, is refused."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import errors
from chalicelib.campaigns.listing import Listing, encode_cursor, page_of

START = datetime(2026, 12, 1, tzinfo=timezone.utc)


@dataclass
class Row:
    row_id: str
    name: str
    created_at: datetime


ROWS = [Row(f"id{n}", name, START + timedelta(minutes=n)) for n, name in enumerate(
    ["bakker", "Aalders", "cornelis", "Aalders", "de Wit"])]  # two share a name: the id breaks the tie


def _all_pages(listing: Listing, size: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = page_of(ROWS, listing, cursor, "row_id", "created_at", size=size)
        pages.append([row.row_id for row in page.rows])
        cursor = page.next_cursor
        if cursor is None:
            return pages


@pytest.mark.parametrize("size", [1, 2, 3, 5, 10])
@pytest.mark.parametrize("sort,order", [("name", "asc"), ("name", "desc"), ("date", "asc"), ("date", "desc")])
def test_pages_hold_each_row_once_in_order_when_followed(sort, order, size):
    # GIVEN a listing WHEN its pages are followed to the end
    listing = Listing(sort, order, None)
    pages = _all_pages(listing, size)
    # THEN together they are the rows in the listing's order, each once, `size` a page
    def key(row):
        return (row.name.casefold() if sort == "name" else row.created_at.isoformat()), row.row_id
    expected = [row.row_id for row in sorted(ROWS, key=key, reverse=order == "desc")]
    assert [row_id for page in pages for row_id in page] == expected
    assert all(len(page) == size for page in pages[:-1])


def test_listing_from_an_unknown_query_falls_back_to_the_defaults():
    assert Listing.from_query({"sort": "colour", "order": "up", "state": "gone"}, states={"draft"}) == \
        Listing("date", "desc", None)
    assert Listing.from_query({"sort": "name", "state": "draft"}, states={"draft"}) == Listing("name", "asc", "draft")


@pytest.mark.parametrize("cursor", [
    "x", "%%%", "bm9wZQ", "W10", "WyJhIiwiYiJd",
    encode_cursor(Listing("name", "asc", None), "template_id", "a", "b"),  # another list
    encode_cursor(Listing("date", "asc", None), "row_id", "a", "b"),  # another sort
    encode_cursor(Listing("name", "asc", "draft"), "row_id", "a", "b"),  # another filter
])
def test_a_cursor_of_something_else_is_refused_when_used(cursor):
    # WHEN a page is asked after a cursor that is not one of this listing THEN it is a 400, not a crash
    with pytest.raises(errors.MalformedRequest):
        page_of(ROWS, Listing("name", "asc", None), cursor, "row_id", "created_at")
