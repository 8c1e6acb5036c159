"""AudienceService on in-memory repositories, built through its constructor as chalicelib.services
builds it: suppression ends every membership, a suppressed address is not subscribed again by the
account holder, the unsubscribe link for everything leaves every list, and a deactivated account's
form takes no sign-ups. (The integration tests check the same through the API on moto.)"""

import dataclasses

import pytest

from chalicelib.accounts.account import AccountStatus
from chalicelib.audience.audience import ConsentSource, MemberStatus, SuppressionReason
from chalicelib.audience.schemas import ContactIn, ListIn
from chalicelib.audience.service import AudienceService, SignUpsClosed
from chalicelib.audience.signing import ALL_LISTS, Signer
from tests.fakes.accounts import CREATED, an_account
from tests.fakes.delivery import InMemoryMailQueue

BASE_URL = "https://app.mailexpert.nl"


@pytest.fixture
def service(audience, accounts):
    return AudienceService(audience, accounts, links=None, mail_queue=InMemoryMailQueue(),
                           signer=lambda: Signer(b"unit-test-secret"), throttle=None, public_base_url=BASE_URL)


@pytest.fixture
def holder(accounts):
    account = an_account(email_verified_at=CREATED)
    accounts.create(account)
    return account


def add(service, holder, list_id, email):
    data = ContactIn(email=email, confirm=False, lawful_basis="webshop customers")
    return service.add_contact(holder, list_id, data, ConsentSource.API, "192.0.2.1")


def addresses(service, holder, list_id, status) -> set[str]:
    found, cursor = set(), None
    while True:
        page, cursor = service.members(holder, list_id, status, cursor)
        found |= {contact.email for contact in page}
        if not cursor:
            return found


def test_contacts_suppressed_by_hand_or_by_bounces_are_not_listed_as_subscribed(service, holder):
    # GIVEN a list of six subscribers
    list_id = service.create_list(holder, ListIn(name="Nieuwsbrief")).list_id
    for n in range(6):
        assert add(service, holder, list_id, f"klant{n}@example.com").status is MemberStatus.SUBSCRIBED
    # WHEN the holder suppresses one by hand, and delivery handling suppresses others
    service.suppress_addresses(holder, ["klant0@example.com"])
    service.suppress(holder.account_id, "klant1@example.com", SuppressionReason.SOFT_BOUNCES, "ses soft bounces")
    service.suppress(holder.account_id, "klant2@example.com", SuppressionReason.HARD_BOUNCE, "ses bounce")
    service.suppress(holder.account_id, "klant3@example.com", SuppressionReason.UNSUBSCRIBED, "import")
    # THEN none of them is listed as subscribed any more, nor is a recipient of a campaign
    assert addresses(service, holder, list_id, MemberStatus.SUBSCRIBED) == {"klant4@example.com", "klant5@example.com"}
    assert addresses(service, holder, list_id, MemberStatus.UNSUBSCRIBED) == {f"klant{n}@example.com" for n in range(4)}
    assert {c.email for c in service.recipients(holder.account_id, list_id)} == {"klant4@example.com",
                                                                                 "klant5@example.com"}


def test_suppressed_address_added_again_by_the_holder_stays_unsubscribed(service, holder):
    # GIVEN an address that bounced hard before it was on any list
    list_id = service.create_list(holder, ListIn(name="Nieuwsbrief")).list_id
    service.suppress(holder.account_id, "Bob@Example.com", SuppressionReason.HARD_BOUNCE, "ses bounce")
    # WHEN the holder adds it with a lawful basis
    membership = add(service, holder, list_id, "bob@example.com")
    # THEN it is on the list as unsubscribed, and still suppressed
    assert membership.status is MemberStatus.UNSUBSCRIBED
    assert service.is_suppressed(holder.account_id, "BOB@example.com")
    assert list(service.recipients(holder.account_id, list_id)) == []


def test_unsubscribe_link_for_everything_leaves_every_list_and_suppresses_the_address(service, holder):
    # GIVEN a contact on two lists
    first = service.create_list(holder, ListIn(name="Nieuwsbrief")).list_id
    second = service.create_list(holder, ListIn(name="Acties")).list_id
    add(service, holder, first, "piet@example.org")
    contact_id = add(service, holder, second, "piet@example.org").contact_id
    # WHEN the person uses the link for every list of this sender
    left = service.unsubscribe(service.unsubscribe_token(holder.account_id, contact_id, ALL_LISTS), "192.0.2.9")
    # THEN both lists are left, with the withdrawal recorded, and the address is suppressed
    assert sorted(left) == sorted([first, second])
    contact = service.get_contact(holder, contact_id)
    memberships = service.memberships(holder, contact)
    assert {m.status for m in memberships} == {MemberStatus.UNSUBSCRIBED}
    assert all(m.consent["withdrawn_ip"] == "192.0.2.9" for m in memberships)
    assert service.is_suppressed(holder.account_id, "piet@example.org")


def test_sign_up_form_of_a_deactivated_account_takes_no_sign_ups(service, holder, accounts):
    # GIVEN a list whose account was deactivated afterwards
    list_id = service.create_list(holder, ListIn(name="Nieuwsbrief")).list_id
    assert service.public_list(list_id)[1].name == "Nieuwsbrief"
    accounts.save(dataclasses.replace(holder, status=AccountStatus.DEACTIVATED))
    # WHEN its public form is opened
    # THEN sign-ups are closed
    with pytest.raises(SignUpsClosed):
        service.public_list(list_id)
