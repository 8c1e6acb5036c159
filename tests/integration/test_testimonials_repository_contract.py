"""The testimonials repository's contract, as TestimonialService uses it: whole testimonials read back
as saved, a version check so two changes never overwrite each other, and the lists the pages use.
The same suite runs against InMemoryTestimonials and DynamoTestimonials on moto; the last tests show
the service letting a withdrawal win over a publication that raced it."""

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.testimonials import testimonial as domain
from chalicelib.testimonials.repository import DynamoTestimonials
from chalicelib.testimonials.service import TestimonialService
from tests.fakes.testimonials import InMemoryTestimonials
from tests.integration.dynamo_tables import REGION, table_fixture

notices_table = table_fixture("NoticesTable")
MOMENT = datetime(2026, 12, 7, 9, 30, 0, 123456, tzinfo=timezone.utc)
SHOWN = domain.Shown("Clean lists, happy customers.", "Anna de Vries", "De Vries Bloemen", "Amsterdam",
                     domain.Photo("a" * 32, "b" * 64, 400, 267))


def a_testimonial(account_id="acc-a") -> "domain.Testimonial":
    return domain.Testimonial.submit(account_id, "Anna de Vries", SHOWN, "192.0.2.7", "nl", MOMENT)


class StoredTestimonialsContract:
    """The behaviours; a subclass gives the `store` fixture."""

    def test_saved_testimonial_is_read_back_as_it_was_saved(self, store):
        # GIVEN a published testimonial with a proposal pending, its times in another zone
        submitted = store.save(a_testimonial())
        published = submitted.publish(submitted.current_consent.consent_id, "staff-1", MOMENT + timedelta(hours=1))
        proposed = published.propose(dataclasses.replace(SHOWN, text="Shorter."), "staff-1",
                                     (MOMENT + timedelta(hours=2)).astimezone(timezone(timedelta(hours=1))))
        saved = store.save(proposed)
        # WHEN it is read THEN it is what was saved, by account and id, and by id alone
        read = store.get("acc-a", saved.testimonial_id)
        assert read == saved and read.proposal.proposed_at.utcoffset() == timedelta(0)
        assert store.find(saved.testimonial_id) == saved
        assert read.shown_publicly().shown == SHOWN
        assert store.get("acc-b", saved.testimonial_id) is None and store.find("nothing") is None

    def test_lists_hold_the_accounts_own_every_one_and_the_published_ones(self, store):
        mine = store.save(a_testimonial())
        theirs = store.save(a_testimonial("acc-b"))
        published = store.save(theirs.publish(theirs.current_consent.consent_id, "staff-1", MOMENT))
        assert [t.testimonial_id for t in store.of_account("acc-a")] == [mine.testimonial_id]
        assert {t.testimonial_id for t in store.every()} == {mine.testimonial_id, theirs.testimonial_id}
        assert [t.testimonial_id for t in store.published()] == [published.testimonial_id]

    def test_saving_a_stale_version_is_refused_when_someone_wrote_first(self, store):
        # GIVEN a testimonial read by two people
        first = store.save(a_testimonial())
        # WHEN one withdraws and the other then publishes what they read
        store.save(first.withdraw(domain.Withdrawal(MOMENT, domain.CUSTOMER)))
        # THEN the second write is refused, and the withdrawal stands
        with pytest.raises(domain.ChangedMeanwhile):
            store.save(first.publish(first.current_consent.consent_id, "staff-1", MOMENT))
        assert store.get("acc-a", first.testimonial_id).shown_publicly() is None
        # AND a new testimonial is never written over a stored one
        with pytest.raises(domain.ChangedMeanwhile):
            store.save(dataclasses.replace(first, version=None))

    def test_erasure_removes_every_testimonial_of_the_account_and_no_other(self, store):
        store.save(a_testimonial())
        store.save(a_testimonial())
        other = store.save(a_testimonial("acc-b"))
        assert store.erase_account("acc-a") == 2
        assert store.of_account("acc-a") == [] and store.every() == [other]

    def test_withdrawal_wins_when_a_publication_raced_it(self, store):
        # GIVEN staff who read the testimonial just before the customer withdrew
        submitted = store.save(a_testimonial())
        racing = _ReadsStaleOnce(store, submitted)
        store.save(submitted.withdraw(domain.Withdrawal(MOMENT, domain.CUSTOMER)))
        service = TestimonialService(racing, photos=_NoPhotos(), audit=_Audit())
        # WHEN staff publish THEN the write of the stale copy fails, the rule runs again on the
        # withdrawn one and refuses, and nothing is published
        with pytest.raises(domain.NoConsent):
            service.publish(_Staff(), submitted.testimonial_id, submitted.current_consent.consent_id, None)
        assert service.published() == []


class TestInMemoryTestimonials(StoredTestimonialsContract):
    @pytest.fixture
    def store(self):
        return InMemoryTestimonials()


class TestDynamoTestimonials(StoredTestimonialsContract):
    @pytest.fixture
    def store(self, notices_table):
        return DynamoTestimonials(notices_table, REGION, None)


@dataclasses.dataclass
class _Staff:
    account_id: str = "staff-1"


class _Audit:
    def __init__(self):
        self.entries = []

    def record(self, account_id, event, ip=None, **details):
        self.entries.append((account_id, event, details))


class _NoPhotos:
    def delete(self, account_id, photo_id):
        pass


class _ReadsStaleOnce:
    """The store, but its first `get` hands back a copy read before the latest write."""

    def __init__(self, store, stale):
        self._store, self._stale = store, stale

    def get(self, account_id, testimonial_id):
        stale, self._stale = self._stale, None
        return stale or self._store.get(account_id, testimonial_id)

    def __getattr__(self, name):
        return getattr(self._store, name)
