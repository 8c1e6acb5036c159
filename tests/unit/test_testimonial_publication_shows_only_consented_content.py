"""A published testimonial can show nothing but the content its customer consented to (P15).

The domain makes it impossible by construction: a publication names a consent and holds no content;
what the public pages get (`Published`) has no text or detail of its own; a staff edit is a
proposal until the customer consents to it; a consent whose stored content does not match its
digest does not load. Each test tries to get around one of these and fails.
"""

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.testimonials import testimonial as domain

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
STAFF_ID = "staff-account"
CONSENTED = domain.Shown("MailExpert keeps our lists clean.", "Anna de Vries", "De Vries Bloemen", "Amsterdam")
EDITED = domain.Shown("MailExpert is the best service in the world!", "Anna de Vries", "De Vries Bloemen", "Amsterdam")


def _submitted() -> "domain.Testimonial":
    return domain.Testimonial.submit("account-1", "Anna de Vries", CONSENTED, "192.0.2.7", "nl", NOW)


def test_consent_records_who_when_ip_text_fields_and_wording_version_when_submitted():
    # GIVEN / WHEN a customer submits a testimonial
    consent = _submitted().current_consent
    # THEN the consent holds who gave it, when, from where, exactly what, and which wording they saw
    assert (consent.account_id, consent.given_by, consent.given_at, consent.ip) == (
        "account-1", "Anna de Vries", NOW, "192.0.2.7")
    assert consent.shown.text == CONSENTED.text
    assert consent.shown.fields == {"name": "Anna de Vries", "company": "De Vries Bloemen", "city": "Amsterdam"}
    assert consent.wording_version == domain.CONSENT_WORDING_VERSION
    assert consent.wording == domain.CONSENT_WORDINGS[domain.CONSENT_WORDING_VERSION]["nl"]
    assert set(domain.CONSENT_WORDINGS[domain.CONSENT_WORDING_VERSION]) == {"nl", "en"}


def test_nothing_is_shown_publicly_when_submitted_but_not_published():
    assert _submitted().shown_publicly() is None


def test_published_shows_exactly_the_consent_when_staff_publish():
    # GIVEN a submitted testimonial WHEN staff publish the consent they looked at
    testimonial = _submitted()
    published = testimonial.publish(testimonial.current_consent.consent_id, STAFF_ID, NOW).shown_publicly()
    # THEN what is shown is the consent itself
    assert published.shown is testimonial.current_consent.shown
    assert published.consent is testimonial.current_consent


def test_published_has_no_content_of_its_own_when_someone_tries_to_give_it_other_text():
    # GIVEN a consent WHEN someone builds what the public pages show with other text
    consent = _submitted().current_consent
    # THEN there is no such field to set: the only content is the consent's
    with pytest.raises(TypeError):
        domain.Published("t-1", consent, NOW, text=EDITED.text)
    with pytest.raises(TypeError):
        domain.Published("t-1", consent, NOW, shown=EDITED)
    assert {f.name for f in dataclasses.fields(domain.Published)} == {"testimonial_id", "consent", "since"}
    assert {f.name for f in dataclasses.fields(domain.Publication)} == {"consent_id", "at", "by"}


def test_consented_content_cannot_be_changed_when_it_is_a_consent():
    consent = _submitted().current_consent
    with pytest.raises(dataclasses.FrozenInstanceError):
        consent.shown = EDITED
    with pytest.raises(dataclasses.FrozenInstanceError):
        consent.shown.text = EDITED.text


def test_consent_does_not_load_when_its_content_differs_from_its_digest():
    # GIVEN a stored consent WHEN its text was changed in storage, its digest kept
    stored = _submitted().current_consent.as_dict()
    stored["shown"]["text"] = EDITED.text
    # THEN it is no consent at all
    with pytest.raises(domain.ConsentMismatch):
        domain.Consent.from_dict(stored)


def test_edit_by_staff_is_never_shown_when_the_customer_has_not_consented_to_it():
    # GIVEN a published testimonial WHEN staff edit its text
    testimonial = _submitted()
    testimonial = testimonial.publish(testimonial.current_consent.consent_id, STAFF_ID, NOW)
    edited = testimonial.propose(EDITED, STAFF_ID, NOW + timedelta(minutes=1))
    # THEN the public still sees the consented text, and publishing again changes nothing
    assert edited.shown_publicly().shown == CONSENTED
    assert edited.publish(edited.current_consent.consent_id, STAFF_ID, NOW).shown_publicly().shown == CONSENTED
    assert edited.proposal.shown == EDITED


def test_edit_is_shown_when_the_customer_consents_to_it_with_a_new_consent_record():
    testimonial = _submitted()
    testimonial = testimonial.publish(testimonial.current_consent.consent_id, STAFF_ID, NOW)
    edited = testimonial.propose(EDITED, STAFF_ID, NOW)
    # WHEN the customer accepts exactly the proposal they saw
    accepted = edited.accept_proposal(edited.proposal.digest, "Anna de Vries", "192.0.2.8", "en", NOW + timedelta(1))
    # THEN a new consent, with its own who/when/IP, is what is shown
    assert accepted.shown_publicly().shown == EDITED
    assert accepted.current_consent.ip == "192.0.2.8" and len(accepted.consents) == 2
    assert accepted.proposal is None


def test_accepting_is_refused_when_the_proposal_changed_after_the_customer_saw_it():
    testimonial = _submitted().propose(EDITED, STAFF_ID, NOW)
    seen = testimonial.proposal.digest
    changed = testimonial.propose(dataclasses.replace(EDITED, text="Another text."), STAFF_ID, NOW)
    with pytest.raises(domain.ProposalChanged):
        changed.accept_proposal(seen, "Anna de Vries", None, "nl", NOW)


def test_publishing_is_refused_when_the_consent_staff_saw_is_no_longer_the_current_one():
    # GIVEN staff looking at the first consent, and the customer consenting to an edit meanwhile
    testimonial = _submitted()
    seen = testimonial.current_consent.consent_id
    proposed = testimonial.propose(EDITED, STAFF_ID, NOW)
    accepted = proposed.accept_proposal(proposed.proposal.digest, "Anna de Vries", None, "nl", NOW)
    # WHEN staff publish what they saw THEN it is refused
    with pytest.raises(domain.ConsentChanged):
        accepted.publish(seen, STAFF_ID, NOW)


def test_publishing_is_refused_and_nothing_is_shown_when_consent_was_withdrawn():
    testimonial = _submitted()
    consent_id = testimonial.current_consent.consent_id
    published = testimonial.publish(consent_id, STAFF_ID, NOW)
    # WHEN the customer withdraws
    withdrawn = published.withdraw(domain.Withdrawal(NOW, domain.CUSTOMER))
    # THEN it is unpublished in the same change, and cannot be published again
    assert withdrawn.shown_publicly() is None and withdrawn.publication is None
    assert withdrawn.status is domain.TestimonialStatus.WITHDRAWN
    with pytest.raises(domain.NoConsent):
        withdrawn.publish(consent_id, STAFF_ID, NOW)
    with pytest.raises(domain.AlreadyWithdrawn):
        withdrawn.withdraw(domain.Withdrawal(NOW, domain.CUSTOMER))


def test_publication_shows_nothing_when_it_names_another_consent_than_the_current_one():
    # GIVEN a stored testimonial whose publication names an older consent (as if written by hand)
    testimonial = _submitted()
    stale = dataclasses.replace(testimonial, publication=domain.Publication("another-consent", NOW, STAFF_ID))
    # THEN it shows nothing
    assert stale.shown_publicly() is None


def test_staff_cannot_bring_in_another_photo_when_proposing():
    photo = domain.Photo("a" * 32, "b" * 64, 100, 100)
    testimonial = _submitted()
    with pytest.raises(domain.NothingProposed):
        testimonial.propose(dataclasses.replace(CONSENTED, photo=photo), STAFF_ID, NOW)
    with pytest.raises(domain.NothingProposed):
        testimonial.propose(CONSENTED, STAFF_ID, NOW)
