"""The audience repository's contract, as AudienceService, CampaignService, segments and list exports
use it: lists, contacts unique by address, memberships (the first list's on the contact, further ones
beside it), pages through a list by status with cursors, the suppression list and its precedence
rules, and one account never seeing another's audience. The same suite runs against InMemoryAudience
and DynamoAudience on moto (`TestDynamoDB(TestTodoDB)`)."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import errors
from chalicelib.audience.audience import (AudienceList, Contact, Membership, MemberStatus, SuppressionReason,
                                          address_hash, contact_id_for)
from chalicelib.audience.repository import DynamoAudience
from tests.fakes.audience import InMemoryAudience
from tests.integration.dynamo_tables import REGION, table_fixture

audience_table = table_fixture("AudienceTable")
MOMENT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
SUBSCRIBED, UNCONFIRMED, UNSUBSCRIBED = MemberStatus.SUBSCRIBED, MemberStatus.UNCONFIRMED, MemberStatus.UNSUBSCRIBED


def a_list(audience, account_id="acc-a", list_id="list-1", name="Nieuwsbrief") -> AudienceList:
    audience_list = AudienceList(list_id, account_id, name, "Elke maand", MOMENT)
    audience.add_list(audience_list)
    return audience_list


def a_contact(audience, email="anna@example.nl", account_id="acc-a", **details) -> Contact:
    key = email.lower()
    contact = Contact(contact_id_for(account_id, key), account_id, email, key, **details)
    assert audience.add_contact(contact) is True
    return contact


def join(audience, contact: Contact, list_id="list-1", status=SUBSCRIBED, consent=None) -> Membership:
    membership = Membership(contact.account_id, list_id, contact.contact_id, status,
                            consent if consent is not None else {"source": "api"}, MOMENT)
    audience.save_membership(membership)
    return membership


def every_page(read, limit=2) -> list:
    """Every row of a paged read (read(cursor, limit) -> (rows, next cursor)), checking the pages' size."""
    rows, cursor = [], None
    for _ in range(50):
        page, cursor = read(cursor, limit)
        assert len(page) <= limit
        rows += page
        if not cursor:
            return rows
    raise AssertionError("the pages never end")


class AudienceContract:
    """The behaviours; a subclass gives the `audience` fixture."""

    # --- lists ---------------------------------------------------------------------------------

    def test_lists_are_read_back_in_name_order_with_their_owner(self, audience):
        # GIVEN three lists of an account
        for list_id, name in (("l-b", "bakkerij"), ("l-a", "Actie"), ("l-c", "Cursus")):
            a_list(audience, list_id=list_id, name=name)
        # WHEN they are read
        # THEN they come in name order whatever the capitals, each with its details and its owner
        assert [l.name for l in audience.lists("acc-a")] == ["Actie", "bakkerij", "Cursus"]
        assert audience.get_list("acc-a", "l-b") == AudienceList("l-b", "acc-a", "bakkerij", "Elke maand", MOMENT)
        assert audience.list_owner("l-b") == "acc-a"
        assert audience.get_list("acc-a", "l-x") is None and audience.list_owner("l-x") is None

    # --- contacts ------------------------------------------------------------------------------

    def test_added_contact_is_found_by_id_and_by_address_and_added_once(self, audience):
        # GIVEN a contact with details, fields and tags
        contact = a_contact(audience, first_name="Anna", last_name="Jansen", language="nl",
                            fields={"city": "Utrecht", "orders": 3}, tags=["klant"], created_at=MOMENT)
        # WHEN it is read by id and by address, and added again
        found = audience.get_contact("acc-a", contact.contact_id)
        # THEN it has what was added, a time of change, and the second add is refused
        assert found == audience.contact_by_email("acc-a", "anna@example.nl")
        assert (found.email, found.first_name, found.last_name, found.language, found.fields, found.tags) == (
            "anna@example.nl", "Anna", "Jansen", "nl", {"city": "Utrecht", "orders": 3}, ["klant"])
        assert found.created_at == MOMENT and found.updated_at.tzinfo is not None
        assert audience.add_contact(Contact(contact.contact_id, "acc-a", "anna@example.nl", "anna@example.nl",
                                            first_name="Other")) is False
        assert audience.get_contact("acc-a", contact.contact_id).first_name == "Anna"
        assert audience.get_contact("acc-a", "no-such-contact") is None

    def test_saved_contact_details_replace_the_old_ones_and_leave_its_membership(self, audience):
        # GIVEN a contact on a list
        a_list(audience)
        contact = a_contact(audience, first_name="Anna", last_name="Jansen", fields={"city": "Utrecht"}, tags=["a"])
        membership = join(audience, contact)
        # WHEN its details are saved with some emptied
        contact.first_name, contact.last_name, contact.fields, contact.tags = "Annie", "", {}, ["a", "b"]
        audience.save_contact(contact)
        # THEN the new ones are read back, the emptied ones are gone, and its membership stayed
        found = audience.get_contact("acc-a", contact.contact_id)
        assert (found.first_name, found.last_name, found.fields, found.tags) == ("Annie", None, {}, ["a", "b"])
        assert audience.membership("acc-a", "list-1", contact.contact_id) == membership

    def test_contact_read_and_changed_but_not_saved_is_not_stored(self, audience):
        # GIVEN a contact on a list, read back with its membership
        a_list(audience)
        contact = a_contact(audience, fields={"city": "Utrecht"}, tags=["a"])
        join(audience, contact, consent={"source": "api"})
        read = audience.get_contact("acc-a", contact.contact_id)
        membership = audience.membership("acc-a", "list-1", contact.contact_id)
        # WHEN what was read is changed in place
        read.fields["city"] = "Zwolle"
        read.tags.append("b")
        membership.consent["ip"] = "192.0.2.1"
        # THEN the store still has what was written
        assert audience.get_contact("acc-a", contact.contact_id).fields == {"city": "Utrecht"}
        assert audience.get_contact("acc-a", contact.contact_id).tags == ["a"]
        assert audience.membership("acc-a", "list-1", contact.contact_id).consent == {"source": "api"}

    def test_contacts_page_in_address_order_and_by_the_start_of_the_address(self, audience):
        # GIVEN five contacts
        for email in ("eva@example.nl", "bob@example.nl", "anna@example.nl", "bea@example.nl", "dirk@example.nl"):
            a_contact(audience, email)
        # WHEN they are read page by page, all and by a prefix
        everyone = every_page(lambda cursor, limit: audience.contacts("acc-a", cursor, limit))
        with_b = every_page(lambda cursor, limit: audience.contacts("acc-a", cursor, limit, email_prefix="B"))
        # THEN each comes once, in address order; the prefix finds those whose address starts with it
        assert [c.email for c in everyone] == ["anna@example.nl", "bea@example.nl", "bob@example.nl",
                                               "dirk@example.nl", "eva@example.nl"]
        assert [c.email for c in with_b] == ["bea@example.nl", "bob@example.nl"]

    def test_contacts_by_id_leave_out_unknown_and_repeated_ids(self, audience):
        # GIVEN two contacts
        anna, bob = a_contact(audience, "anna@example.nl"), a_contact(audience, "bob@example.nl")
        # WHEN they are read by id, with an unknown id and a repeat among them
        found = audience.contacts_by_id("acc-a", [anna.contact_id, "no-such-contact", bob.contact_id,
                                                  anna.contact_id])
        # THEN each known contact comes once; no ids, no contacts
        assert sorted(c.email for c in found) == ["anna@example.nl", "bob@example.nl"]
        assert audience.contacts_by_id("acc-a", []) == []

    def test_deleted_contact_takes_its_memberships_but_not_its_suppression(self, audience):
        # GIVEN a suppressed contact on two lists
        a_list(audience), a_list(audience, list_id="list-2")
        contact = a_contact(audience)
        join(audience, contact), join(audience, contact, "list-2")
        audience.suppress("acc-a", contact.email_key, contact.email, SuppressionReason.MANUAL, "test")
        # WHEN it is deleted
        audience.delete_contact(contact)
        # THEN it is gone with its memberships, from both lists, and the address stays suppressed
        assert audience.get_contact("acc-a", contact.contact_id) is None
        assert audience.memberships("acc-a", contact.contact_id) == []
        assert audience.member_page("acc-a", "list-1")[0] == audience.member_page("acc-a", "list-2")[0] == []
        assert audience.suppression("acc-a", contact.email_key).reason is SuppressionReason.MANUAL

    # --- memberships ---------------------------------------------------------------------------

    def test_memberships_of_the_first_and_further_lists_are_read_back_and_replaced(self, audience):
        # GIVEN a contact who joins two lists
        a_list(audience), a_list(audience, list_id="list-2")
        contact = a_contact(audience)
        first = join(audience, contact, "list-1", UNCONFIRMED, {"source": "form", "ip": "192.0.2.1"})
        further = join(audience, contact, "list-2", SUBSCRIBED, {})
        # WHEN each is read, and then the first changes
        # THEN each list has its own (an empty consent reads as none), the first list's first
        assert audience.membership("acc-a", "list-1", contact.contact_id) == first
        assert audience.membership("acc-a", "list-2", contact.contact_id).consent is None
        assert [m.list_id for m in audience.memberships("acc-a", contact.contact_id)] == ["list-1", "list-2"]
        first.status, first.updated_at = SUBSCRIBED, MOMENT + timedelta(minutes=5)
        audience.save_membership(first)
        assert audience.memberships("acc-a", contact.contact_id)[0] == first
        assert len(audience.memberships("acc-a", contact.contact_id)) == 2
        assert further.list_id == "list-2"

    def test_membership_of_a_list_never_joined_or_of_an_unknown_contact_is_none(self, audience):
        # GIVEN a contact on one list
        a_list(audience), a_list(audience, list_id="list-2")
        contact = a_contact(audience)
        join(audience, contact)
        # WHEN its membership of another list, and an unknown contact's, are read
        # THEN there is none
        assert audience.membership("acc-a", "list-2", contact.contact_id) is None
        assert audience.membership("acc-a", "list-1", "no-such-contact") is None
        assert audience.memberships("acc-a", "no-such-contact") == []

    def test_members_page_through_a_list_by_status(self, audience):
        # GIVEN a list whose members joined it first or after another list, with each status
        a_list(audience), a_list(audience, list_id="list-0")
        statuses = {"a@example.nl": SUBSCRIBED, "b@example.nl": UNSUBSCRIBED, "c@example.nl": SUBSCRIBED,
                    "d@example.nl": UNCONFIRMED, "e@example.nl": SUBSCRIBED}
        for n, (email, status) in enumerate(statuses.items()):
            contact = a_contact(audience, email)
            if n % 2:
                join(audience, contact, "list-0")  # this list is a further one for them
            join(audience, contact, "list-1", status)
        # WHEN its members are read page by page, of one status and of all
        subscribed = every_page(lambda cursor, limit: audience.member_page("acc-a", "list-1", SUBSCRIBED, cursor,
                                                                           limit))
        everyone = every_page(lambda cursor, limit: audience.member_page("acc-a", "list-1", None, cursor, limit))
        # THEN each member comes once with their membership of this list, only those of the status asked
        assert sorted(c.email for c, _ in subscribed) == ["a@example.nl", "c@example.nl", "e@example.nl"]
        assert {c.email: m.status for c, m in everyone} == statuses
        assert all(m.list_id == "list-1" and m.contact_id == c.contact_id for c, m in everyone)
        unsubscribed = every_page(lambda cursor, limit: audience.member_page("acc-a", "list-1", UNSUBSCRIBED,
                                                                             cursor, limit))
        assert [c.email for c, _ in unsubscribed] == ["b@example.nl"]

    def test_subscribed_page_gives_what_a_mail_needs_of_each_subscribed_member(self, audience):
        # GIVEN a list with subscribed members who joined it first or later, and one who left
        a_list(audience), a_list(audience, list_id="list-0")
        anna = a_contact(audience, "anna@example.nl", first_name="Anna", language="nl", fields={"city": "Utrecht"},
                         tags=["klant"])
        join(audience, anna)
        bob = a_contact(audience, "bob@example.nl", last_name="Bakker")
        join(audience, bob, "list-0"), join(audience, bob)
        join(audience, a_contact(audience, "carla@example.nl"), status=UNSUBSCRIBED)
        for n in range(3):
            join(audience, a_contact(audience, f"klant{n}@example.nl"))
        # WHEN the subscribed members are read page by page
        found = every_page(lambda cursor, limit: audience.subscribed_page("acc-a", "list-1", cursor, limit))
        # THEN each subscribed member comes once, with their address, names, language, fields and tags
        assert sorted(c.email for c in found) == ["anna@example.nl", "bob@example.nl", "klant0@example.nl",
                                                  "klant1@example.nl", "klant2@example.nl"]
        by_email = {c.email: c for c in found}
        assert (by_email["anna@example.nl"].first_name, by_email["anna@example.nl"].language,
                by_email["anna@example.nl"].fields, by_email["anna@example.nl"].tags) == (
            "Anna", "nl", {"city": "Utrecht"}, ["klant"])
        assert by_email["bob@example.nl"].last_name == "Bakker" and by_email["bob@example.nl"].contact_id == bob.contact_id
        assert by_email["bob@example.nl"].email_key == "bob@example.nl"

    def test_mailable_are_those_subscribed_to_the_list_and_not_suppressed(self, audience):
        # GIVEN members of a list: subscribed first or later, unconfirmed, suppressed, and one of another list
        a_list(audience), a_list(audience, list_id="list-0")
        anna, bob, carla, dirk, eva = (a_contact(audience, f"{name}@example.nl")
                                       for name in ("anna", "bob", "carla", "dirk", "eva"))
        join(audience, anna)
        join(audience, bob, "list-0"), join(audience, bob)
        join(audience, carla, status=UNCONFIRMED)
        join(audience, dirk)
        audience.suppress("acc-a", dirk.email_key, dirk.email, SuppressionReason.HARD_BOUNCE, "ses bounce")
        join(audience, eva, "list-0")
        # WHEN a sender asks which of them it may mail for the list
        mailable = audience.mailable_among("acc-a", "list-1", [(c.contact_id, c.email_key)
                                                               for c in (anna, bob, carla, dirk, eva)])
        # THEN only the subscribed ones that are not suppressed
        assert mailable == {anna.contact_id, bob.contact_id}

    def test_cursor_that_is_not_of_the_query_is_refused(self, audience):
        # GIVEN contacts of two accounts on their lists, and a cursor to the second page of the first's
        a_list(audience), a_list(audience, "acc-b", "list-b")
        for n in range(3):
            join(audience, a_contact(audience, f"k{n}@example.nl"))
            join(audience, a_contact(audience, f"k{n}@example.nl", "acc-b"), "list-b")
        _, contacts_cursor = audience.contacts("acc-a", limit=1)
        _, members_cursor = audience.member_page("acc-a", "list-1", limit=1)
        # WHEN a cursor is garbage, or one of the first account's is used for the other's
        # THEN it is refused as a malformed request
        for read in (lambda: audience.contacts("acc-a", cursor="garbage"),
                     lambda: audience.contacts("acc-b", cursor=contacts_cursor),
                     lambda: audience.member_page("acc-b", "list-b", cursor=members_cursor),
                     lambda: audience.subscribed_page("acc-b", "list-b", cursor=members_cursor),
                     lambda: audience.suppressions("acc-a", cursor="bm90IGpzb24"),
                     lambda: audience.suppressions("acc-b", cursor=contacts_cursor)):
            with pytest.raises(errors.MalformedRequest):
                read()

    # --- suppression ---------------------------------------------------------------------------

    def test_lasting_suppression_is_never_replaced_by_an_unsubscribe_and_an_erasure_always_wins(self, audience):
        key = "anna@example.nl"

        def reason():
            return audience.suppression("acc-a", key).reason

        # GIVEN an address that unsubscribed from everything
        first = audience.suppress("acc-a", key, key, SuppressionReason.UNSUBSCRIBED, "unsubscribe link")
        assert (first.email_hash, first.email, first.source) == (address_hash(key), key, "unsubscribe link")
        assert audience.suppress("acc-a", key, key, SuppressionReason.UNSUBSCRIBED, "again").source == "again"
        # WHEN it bounces THEN the lasting reason replaces the liftable one
        audience.suppress("acc-a", key, key, SuppressionReason.HARD_BOUNCE, "ses bounce")
        assert reason() is SuppressionReason.HARD_BOUNCE
        # WHEN it unsubscribes again THEN the bounce stays, and is what the call answers
        kept = audience.suppress("acc-a", key, key, SuppressionReason.UNSUBSCRIBED, "unsubscribe link")
        assert kept.reason is SuppressionReason.HARD_BOUNCE and reason() is SuppressionReason.HARD_BOUNCE
        # WHEN a complaint comes THEN it replaces the bounce
        audience.suppress("acc-a", key, key, SuppressionReason.COMPLAINT, "ses complaint")
        assert reason() is SuppressionReason.COMPLAINT
        # WHEN the contact is erased THEN only the hash stays, and nothing replaces the erasure
        audience.suppress("acc-a", key, None, SuppressionReason.ERASED, "erasure")
        assert audience.suppression("acc-a", key).email is None
        for later in (SuppressionReason.MANUAL, SuppressionReason.UNSUBSCRIBED):
            assert audience.suppress("acc-a", key, key, later, "later").reason is SuppressionReason.ERASED
        assert reason() is SuppressionReason.ERASED

    def test_suppression_list_pages_by_hash_and_is_lifted_per_address(self, audience):
        # GIVEN five suppressed addresses
        keys = [f"k{n}@example.nl" for n in range(5)]
        for key in keys:
            audience.suppress("acc-a", key, key, SuppressionReason.MANUAL, "added by the account")
        # WHEN the list is read page by page, and checked for some addresses
        entries = every_page(lambda cursor, limit: audience.suppressions("acc-a", cursor, limit))
        # THEN each comes once, in the order of their hashes; each is known as suppressed
        assert [e.email_hash for e in entries] == sorted(address_hash(k) for k in keys)
        assert sorted(audience.suppressed_hashes("acc-a")) == sorted(address_hash(k) for k in keys)
        assert audience.suppressed_among("acc-a", ["k1@example.nl", "free@example.nl"]) == {"k1@example.nl"}
        # WHEN one is lifted THEN it is no longer suppressed, the others are
        audience.unsuppress("acc-a", "k1@example.nl")
        assert audience.suppression("acc-a", "k1@example.nl") is None
        assert audience.suppressed_among("acc-a", keys) == set(keys) - {"k1@example.nl"}

    # --- tenants -------------------------------------------------------------------------------

    def test_one_account_never_reads_another_accounts_audience(self, audience):
        # GIVEN an account with a list, a subscribed member and a suppressed address
        a_list(audience)
        anna = a_contact(audience)
        join(audience, anna)
        join(audience, a_contact(audience, "bob@example.nl"))
        audience.suppress("acc-a", "carla@example.nl", "carla@example.nl", SuppressionReason.MANUAL, "test")
        # WHEN another account reads with the first one's ids
        # THEN it finds nothing of it
        assert audience.lists("acc-b") == [] and audience.get_list("acc-b", "list-1") is None
        assert audience.get_contact("acc-b", anna.contact_id) is None
        assert audience.contact_by_email("acc-b", anna.email_key) is None
        assert audience.contacts("acc-b") == ([], None)
        assert audience.contacts_by_id("acc-b", [anna.contact_id]) == []
        assert audience.membership("acc-b", "list-1", anna.contact_id) is None
        assert audience.memberships("acc-b", anna.contact_id) == []
        assert audience.member_page("acc-b", "list-1")[0] == []
        assert audience.subscribed_page("acc-b", "list-1")[0] == []
        assert audience.mailable_among("acc-b", "list-1", [(anna.contact_id, anna.email_key)]) == set()
        assert audience.suppression("acc-b", "carla@example.nl") is None
        assert audience.suppressions("acc-b") == ([], None) and list(audience.suppressed_hashes("acc-b")) == []
        assert audience.suppressed_among("acc-b", ["carla@example.nl"]) == set()
        # AND the same address in the other account is another contact, suppressed or not on its own
        assert contact_id_for("acc-b", anna.email_key) != anna.contact_id

    def test_growth_counts_added_and_removed_contacts_per_day_per_account(self, audience):
        from chalicelib.audience.repository import growth_day

        # GIVEN two contacts added and one deleted today, an unsubscribe counted, and counts of other days
        today = growth_day()
        delete_me = a_contact(audience, "bob@example.nl")
        a_contact(audience, "anna@example.nl")
        audience.delete_contact(delete_me)
        audience.count_growth("acc-a", {"unsubscribed": 1})
        audience.count_growth("acc-a", {"added": 7}, day="2020-01-01")
        audience.count_growth("acc-a", {"added": 9}, day="2099-01-01")
        a_contact(audience, "anna@example.nl", "acc-b")
        # WHEN a period is read
        found = audience.growth("acc-a", "2020-01-01", today)
        # THEN each day in it has its counts added up; days outside it and other accounts are left out
        assert found == {"2020-01-01": {"added": 7}, today: {"added": 2, "removed": 1, "unsubscribed": 1}}
        assert audience.growth("acc-b", today, today) == {today: {"added": 1}}
        assert audience.growth("acc-c", "2020-01-01", "2099-12-31") == {}

    def test_erasing_an_account_removes_its_whole_audience_and_nothing_else(self, audience):
        # GIVEN two accounts, each with a list, a member and a suppressed address
        for account_id, list_id in (("acc-a", "list-a"), ("acc-b", "list-b")):
            a_list(audience, account_id, list_id)
            join(audience, a_contact(audience, "anna@example.nl", account_id), list_id)
            audience.suppress(account_id, "bob@example.nl", "bob@example.nl", SuppressionReason.MANUAL, "test")
        # WHEN the first account's audience is erased
        erased = audience.erase_account("acc-a")
        # THEN all of it is gone, its list unknown even by id, and the other account keeps everything
        assert erased >= 3
        assert audience.lists("acc-a") == [] and audience.list_owner("list-a") is None
        assert audience.contacts("acc-a") == ([], None) and audience.suppressions("acc-a") == ([], None)
        assert [l.list_id for l in audience.lists("acc-b")] == ["list-b"] and audience.list_owner("list-b") == "acc-b"
        assert len(audience.contacts("acc-b")[0]) == 1 and len(audience.suppressions("acc-b")[0]) == 1
        assert len(audience.member_page("acc-b", "list-b")[0]) == 1


class TestInMemoryAudience(AudienceContract):
    @pytest.fixture
    def audience(self):
        return InMemoryAudience()


class TestDynamoAudience(AudienceContract):
    @pytest.fixture
    def audience(self, audience_table):
        return DynamoAudience(audience_table, REGION, None)
