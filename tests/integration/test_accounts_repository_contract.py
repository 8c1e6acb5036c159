"""The accounts repository's contract, as AccountService, DataRights and Reputation use it: one
account per address (any case), reads that are copies, optimistic locking on every write, the
address claim that moves with the account, and a pause of sending that a stale save cannot undo.
The same suite runs against InMemoryAccounts and DynamoAccounts on moto (`TestDynamoDB(TestTodoDB)`)."""

from datetime import timedelta, timezone

import pytest

from chalicelib import errors
from chalicelib.accounts.account import Account, AccountStatus, Plan
from chalicelib.accounts.repository import AddressTaken, DynamoAccounts
from tests.fakes.accounts import CREATED, InMemoryAccounts, an_account
from tests.integration.dynamo_tables import REGION, table_fixture

accounts_table = table_fixture("AccountsTable")
MOMENT = CREATED


def stale_read(accounts) -> Account:
    """A created account read twice, the first read saved with a change: the second read, now stale."""
    accounts.create(an_account())
    first, second = accounts.get("acc-1"), accounts.get("acc-1")
    first.name = "First"
    accounts.save(first)
    return second


class AccountsContract:
    """The behaviours; a subclass gives the `accounts` fixture."""

    def test_created_account_is_read_back_by_id_and_by_address_in_any_case_with_every_field(self, accounts):
        # GIVEN an account with every optional field filled in, a time in another zone among them
        amsterdam = timezone(timedelta(hours=1))
        account = an_account(
            status=AccountStatus.DEACTIVATED, plan=Plan.STARTER, staff=True, email_verified_at=MOMENT.astimezone(amsterdam),
            company_name="Bakkerij Jansen", coc_number="12345678", vat_number="NL123456789B01",
            website="https://bakkerij.nl", product_news=True, product_news_consent={"opted_in": True, "at": "x"},
            campaign_tracking=False, totp_secret="SECRET", totp_pending_secret="PENDING",
            recovery_code_hashes=["h1", "h2"], sending_paused_at=MOMENT, sending_paused_reason={"limit": "bounces"})
        # WHEN it is created
        accounts.create(account)
        # THEN it has version 1, and reads back equal by id and by its address written in capitals
        assert account.version == 1
        assert accounts.get("acc-1") == account == accounts.by_email("ANNA@Example.NL")
        assert accounts.get("acc-1").email_verified_at.utcoffset() == timedelta(0)

    def test_second_account_with_the_same_address_is_refused(self, accounts):
        # GIVEN an account
        accounts.create(an_account())
        # WHEN another registers the same address, in other capitals
        # THEN it is refused, and the address stays the first account's
        with pytest.raises(AddressTaken):
            accounts.create(an_account("acc-2", "Anna@EXAMPLE.nl"))
        assert accounts.get("acc-2") is None
        assert accounts.by_email("anna@example.nl").account_id == "acc-1"

    def test_unknown_account_or_address_reads_as_none(self, accounts):
        # GIVEN one account
        accounts.create(an_account())
        # WHEN another id, another address or no address at all is read
        # THEN there is none
        assert accounts.get("acc-2") is None
        assert accounts.by_email("bob@example.nl") is None
        assert accounts.by_email("not an address") is None

    def test_change_not_saved_is_not_stored(self, accounts):
        # GIVEN a created account, read back
        account = an_account(recovery_code_hashes=["h1"])
        accounts.create(account)
        read = accounts.get("acc-1")
        # WHEN the objects are changed but not saved
        account.name = "Changed"
        read.recovery_code_hashes.append("h2")
        # THEN the store still has what was written
        assert accounts.get("acc-1").name == "Anna de Vries"
        assert accounts.get("acc-1").recovery_code_hashes == ["h1"]

    def test_saved_changes_are_read_back_and_the_version_goes_up(self, accounts):
        # GIVEN a created account
        accounts.create(an_account())
        account = accounts.get("acc-1")
        # WHEN a change is saved, twice
        account.city, account.campaign_tracking = "Utrecht", False
        accounts.save(account)
        account.plan = Plan.PROFESSIONAL
        accounts.save(account)
        # THEN both are stored, and the version counted each save
        assert account.version == 3
        assert accounts.get("acc-1") == account
        assert (account.city, account.campaign_tracking, account.plan) == ("Utrecht", False, Plan.PROFESSIONAL)

    def test_save_from_a_stale_read_is_refused_as_a_conflict(self, accounts):
        # GIVEN two reads of one account, the first saved with a change
        second = stale_read(accounts)
        # WHEN the second, older read is saved
        second.name = "Second"
        # THEN it is refused, and the first change stays
        with pytest.raises(errors.Conflict):
            accounts.save(second)
        assert accounts.get("acc-1").name == "First"

    def test_changed_address_moves_the_claim_and_frees_the_old_one(self, accounts):
        # GIVEN an account
        accounts.create(an_account())
        account = accounts.get("acc-1")
        # WHEN its address is changed
        accounts.change_email(account, "anna@bakkerij.nl")
        # THEN it is found by the new one only, its version went up, and the old one is free again
        assert account.email == "anna@bakkerij.nl" and account.version == 2
        assert accounts.by_email("anna@bakkerij.nl") == account == accounts.get("acc-1")
        assert accounts.by_email("anna@example.nl") is None
        accounts.create(an_account("acc-2", "anna@example.nl"))
        assert accounts.by_email("anna@example.nl").account_id == "acc-2"

    def test_change_to_a_taken_address_is_refused_and_keeps_the_old_one(self, accounts):
        # GIVEN two accounts
        accounts.create(an_account())
        accounts.create(an_account("acc-2", "bob@example.nl"))
        account = accounts.get("acc-1")
        # WHEN the first moves to the second's address
        # THEN it is refused, and nothing changed, not even the object in hand
        with pytest.raises(AddressTaken):
            accounts.change_email(account, "BOB@example.nl")
        assert account.email == "anna@example.nl"
        assert accounts.by_email("anna@example.nl").account_id == "acc-1"
        assert accounts.by_email("bob@example.nl").account_id == "acc-2"

    def test_change_of_only_the_capitals_of_the_address_keeps_the_claim(self, accounts):
        # GIVEN an account
        accounts.create(an_account())
        account = accounts.get("acc-1")
        # WHEN its address is written in other capitals
        accounts.change_email(account, "Anna@Example.NL")
        # THEN it is stored so, and found by the address in any case
        assert accounts.by_email("anna@example.nl").email == "Anna@Example.NL"

    def test_address_change_from_a_stale_read_is_refused_as_a_conflict(self, accounts):
        # GIVEN two reads of one account, the first saved with a change
        second = stale_read(accounts)
        # WHEN the older read moves to a new address
        # THEN it is refused as the conflict it is, and the account keeps its address and the first change
        with pytest.raises(errors.Conflict):
            accounts.change_email(second, "anna@bakkerij.nl")
        assert second.email == "anna@example.nl"
        assert accounts.by_email("anna@bakkerij.nl") is None
        assert accounts.by_email("anna@example.nl").name == "First"

    def test_deleted_account_is_gone_and_its_address_free(self, accounts):
        # GIVEN two accounts
        accounts.create(an_account())
        accounts.create(an_account("acc-2", "bob@example.nl"))
        # WHEN the first is deleted
        accounts.delete(accounts.get("acc-1"))
        # THEN it is gone, its address may register again, and the other account is untouched
        assert accounts.get("acc-1") is None and accounts.by_email("anna@example.nl") is None
        accounts.create(an_account("acc-3", "anna@example.nl"))
        assert accounts.get("acc-2").email == "bob@example.nl"

    def test_delete_from_a_stale_read_is_refused_as_a_conflict(self, accounts):
        # GIVEN two reads of one account, the first saved with a change
        second = stale_read(accounts)
        # WHEN the older read is deleted
        # THEN it is refused, and the account stays
        with pytest.raises(errors.Conflict):
            accounts.delete(second)
        assert accounts.by_email("anna@example.nl").account_id == "acc-1"

    def test_sending_is_paused_once_and_a_save_from_before_cannot_undo_it(self, accounts):
        # GIVEN an account read before its sending is paused
        accounts.create(an_account())
        before = accounts.get("acc-1")
        # WHEN it is paused twice, and an unknown account once
        # THEN only the first pause says it paused
        assert accounts.pause_sending("acc-1", MOMENT, {"limit": "complaints", "rate": 0.004}) is True
        assert accounts.pause_sending("acc-1", MOMENT + timedelta(hours=1), {"limit": "bounces"}) is False
        assert accounts.pause_sending("acc-9", MOMENT, {}) is False
        paused = accounts.get("acc-1")
        assert (paused.sending_paused_at, paused.sending_paused_reason) == (MOMENT, {"limit": "complaints",
                                                                                      "rate": 0.004})
        # AND a save of the read from before is refused, so it cannot wipe the pause
        with pytest.raises(errors.Conflict):
            accounts.save(before)
        # WHEN sending is resumed THEN the pause is gone, and a read from before that is stale too
        accounts.resume_sending("acc-1")
        resumed = accounts.get("acc-1")
        assert resumed.sending_paused_at is None and resumed.sending_paused_reason is None
        assert resumed.version == paused.version + 1
        with pytest.raises(errors.Conflict):
            accounts.save(paused)


class TestInMemoryAccounts(AccountsContract):
    @pytest.fixture
    def accounts(self):
        return InMemoryAccounts()


class TestDynamoAccounts(AccountsContract):
    @pytest.fixture
    def accounts(self, accounts_table):
        return DynamoAccounts(accounts_table, REGION, None)
