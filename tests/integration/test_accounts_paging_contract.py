"""The accounts repository's paging, as the broadcast engine uses it: every account exactly once, a
page at a time, the address claims in the same table never among them; against InMemoryAccounts and
DynamoAccounts on moto alike."""

import pytest

from chalicelib.accounts.repository import DynamoAccounts
from tests.fakes.accounts import InMemoryAccounts, an_account
from tests.integration.dynamo_tables import REGION, table_fixture

accounts_table = table_fixture("AccountsTable")


def every_page(accounts, limit):
    pages, cursor = [], None
    while True:
        page, cursor = accounts.page(cursor, limit)
        pages.append([account.account_id for account in page])
        if cursor is None:
            return pages
        assert len(pages) < 100, "paging does not end"


class PagingContract:
    @pytest.mark.parametrize("limit", [1, 3, 7, 50])
    def test_pages_hold_every_account_exactly_once_and_no_address_claim(self, accounts, limit):
        # GIVEN 7 accounts (and so 7 address claims in the same table)
        for number in range(7):
            accounts.create(an_account(f"acc-{number}", f"holder{number}@example.nl"))
        # WHEN they are read page by page
        pages = every_page(accounts, limit)
        # THEN each page holds at most `limit`, and together they hold every account once
        assert all(len(page) <= limit for page in pages)
        assert sorted(sum(pages, [])) == [f"acc-{number}" for number in range(7)]

    def test_cursor_stays_valid_when_an_account_is_erased_between_pages(self, accounts):
        for number in range(6):
            accounts.create(an_account(f"acc-{number}", f"holder{number}@example.nl"))
        first, cursor = accounts.page(None, 3)
        accounts.delete(accounts.get(first[-1].account_id))
        rest = []
        while cursor is not None:
            page, cursor = accounts.page(cursor, 3)
            rest += [account.account_id for account in page]
        assert sorted([a.account_id for a in first] + rest) == [f"acc-{number}" for number in range(6)]

    def test_empty_table_is_one_empty_page(self, accounts):
        assert accounts.page(None, 10) == ([], None)


class TestInMemoryAccountsPaging(PagingContract):
    @pytest.fixture
    def accounts(self):
        return InMemoryAccounts()


class TestDynamoAccountsPaging(PagingContract):
    @pytest.fixture
    def accounts(self, accounts_table):
        return DynamoAccounts(accounts_table, REGION, None)
