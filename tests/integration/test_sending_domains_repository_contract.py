"""The sending domains repository's contract, as SendingDomainService uses it: an account's domains,
and the one claim per domain that two accounts can never both win. The same suite runs against
InMemorySendingDomains and DynamoSendingDomains on moto (`TestDynamoDB(TestTodoDB)`)."""

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.sending_domains.domains import Claim, DomainStatus, SendingDomain
from chalicelib.sending_domains.repository import DynamoSendingDomains
from tests.fakes.sending_domains import InMemorySendingDomains
from tests.integration.dynamo_tables import REGION, table_fixture

campaigns_table = table_fixture("CampaignsTable")
MOMENT = datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=timezone.utc)
DOMAIN = "nieuws.bakkerij-jansen.nl"


def a_domain(domain=DOMAIN, account_id="acc-a", **changes) -> SendingDomain:
    return dataclasses.replace(SendingDomain(domain, account_id, DomainStatus.PENDING, ("t1", "t2", "t3"), MOMENT,
                                             MOMENT), **changes)


def a_claim(account_id="acc-a", claimed_at=MOMENT, domain=DOMAIN) -> Claim:
    return Claim(domain, account_id, claimed_at, False, claimed_at + timedelta(hours=72))


class SendingDomainsContract:
    """The behaviours; a subclass gives the `domains` fixture."""

    def test_saved_domains_are_read_back_in_name_order_per_account(self, domains):
        # GIVEN an account's two domains, one verified with a MAIL FROM subdomain, its time in another zone
        verified = a_domain(status=DomainStatus.VERIFIED, verified_at=MOMENT.astimezone(timezone(timedelta(hours=1))),
                            mail_from_domain=f"bounce.{DOMAIN}", mail_from_status=DomainStatus.PENDING)
        domains.save(verified)
        domains.save(a_domain("bakkerij-jansen.nl", dkim_tokens=()))
        # WHEN they are read
        # THEN each is what was saved, listed by name; another account has none of them
        assert domains.get("acc-a", DOMAIN) == verified
        assert domains.get("acc-a", DOMAIN).verified_at.utcoffset() == timedelta(0)
        assert [d.domain for d in domains.domains("acc-a")] == ["bakkerij-jansen.nl", DOMAIN]
        assert domains.get("acc-a", "bakkerij-jansen.nl").dkim_tokens == ()
        assert domains.domains("acc-b") == [] and domains.get("acc-b", DOMAIN) is None
        assert domains.get("acc-a", "") is None

    def test_saved_domain_replaces_the_old_and_a_deleted_one_is_gone(self, domains):
        # GIVEN a pending domain
        domains.save(a_domain())
        # WHEN it is saved again, checked and verified, then deleted
        domains.save(a_domain(status=DomainStatus.VERIFIED, checked_at=MOMENT + timedelta(hours=1)))
        # THEN the last save is kept, and after the delete there is none
        assert domains.get("acc-a", DOMAIN).status is DomainStatus.VERIFIED
        assert domains.get("acc-a", DOMAIN).checked_at == MOMENT + timedelta(hours=1)
        domains.delete("acc-a", DOMAIN)
        assert domains.get("acc-a", DOMAIN) is None and domains.domains("acc-a") == []

    def test_the_same_domain_kept_by_two_accounts_stays_apart(self, domains):
        # GIVEN one domain on two accounts (a lapsed claim taken over leaves the first one's entry)
        domains.save(a_domain(account_id="acc-a", status=DomainStatus.EXPIRED))
        domains.save(a_domain(account_id="acc-b"))
        # WHEN one account deletes it THEN the other keeps its own
        domains.delete("acc-a", DOMAIN)
        assert domains.get("acc-b", DOMAIN).status is DomainStatus.PENDING

    def test_a_free_domain_is_claimed_once(self, domains):
        # WHEN two accounts claim a free domain, each believing it free
        first = domains.put_claim(a_claim("acc-a"), None)
        second = domains.put_claim(a_claim("acc-b"), None)
        # THEN only the first gets it
        assert (first, second) == (True, False)
        assert domains.claim_of(DOMAIN) == a_claim("acc-a")
        assert domains.claim_of("other.nl") is None

    def test_a_claim_is_replaced_only_by_who_read_it_as_it_still_is(self, domains):
        # GIVEN a claim that two accounts read, meaning to take it over once it lapsed
        domains.put_claim(a_claim("acc-a"), None)
        read = domains.claim_of(DOMAIN)
        later = MOMENT + timedelta(hours=73)
        # WHEN both write their claim replacing what they read
        first = domains.put_claim(a_claim("acc-b", later), read)
        second = domains.put_claim(a_claim("acc-c", later), read)
        # THEN only the first succeeds
        assert (first, second) == (True, False)
        assert domains.claim_of(DOMAIN).account_id == "acc-b"
        # AND the holder may update its own claim from what it reads now (verified: no lapse any more)
        verified = dataclasses.replace(domains.claim_of(DOMAIN), verified=True, expires_at=None)
        assert domains.put_claim(verified, domains.claim_of(DOMAIN)) is True
        assert domains.claim_of(DOMAIN) == verified and not domains.claim_of(DOMAIN).lapsed(later + timedelta(days=9))

    def test_only_the_holder_releases_a_claim(self, domains):
        # GIVEN a claimed domain
        domains.put_claim(a_claim("acc-a"), None)
        # WHEN another account, then the holder, release it, and a domain never claimed is released
        # THEN only the holder's release goes, after which the domain is free for anyone
        assert domains.release_claim(DOMAIN, "acc-b") is False
        assert domains.claim_of(DOMAIN).account_id == "acc-a"
        assert domains.release_claim(DOMAIN, "acc-a") is True
        assert domains.claim_of(DOMAIN) is None
        assert domains.release_claim("other.nl", "acc-a") is False
        assert domains.put_claim(a_claim("acc-b"), None) is True


class TestInMemorySendingDomains(SendingDomainsContract):
    @pytest.fixture
    def domains(self):
        return InMemorySendingDomains()


class TestDynamoSendingDomains(SendingDomainsContract):
    @pytest.fixture
    def domains(self, campaigns_table):
        return DynamoSendingDomains(campaigns_table, REGION, None)
