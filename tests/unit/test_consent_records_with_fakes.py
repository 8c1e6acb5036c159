"""Recording cookie choices (P9) with an in-memory repository: what a record holds, under which id,
what kind of change it is, and when it expires."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.consent.record import RecordKind
from chalicelib.consent.repository import InMemoryConsentRecords
from chalicelib.consent.service import RECORD_RETENTION, ConsentService, new_consent_id
from chalicelib.web.consent_cookie import ESSENTIAL_ONLY, ConsentChoice

NOW = datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc)
ALL = ConsentChoice(analytics=True, marketing=True)
ANALYTICS = ConsentChoice(analytics=True)


@pytest.fixture
def records():
    return InMemoryConsentRecords()


@pytest.fixture
def service(records):
    return ConsentService(records, clock=lambda: NOW, new_id=lambda: "N" * 22)


def test_first_choice_gets_a_new_id_and_a_truncated_ip_when_recorded(service, records):
    # WHEN a browser without a consent id makes its first choice
    record = service.record_choice(ANALYTICS, consent_id=None, previous=None, ip="198.51.100.23")
    # THEN it is stored under a new id, with the time, the choice, the banner version and the IP's /24
    assert records.records == [record]
    assert (record.consent_id, record.recorded_at, record.choice, record.banner_version) == ("N" * 22, NOW,
                                                                                           "1.analytics", 1)
    assert record.analytics and not record.marketing and record.kind is RecordKind.GIVEN
    assert record.ip_prefix == "198.51.100.0"
    # AND it expires after the documented retention
    assert record.expires_at == int((NOW + RECORD_RETENTION).timestamp())
    assert RECORD_RETENTION == timedelta(days=730)


def test_later_choices_keep_the_consent_id_and_say_what_changed(service):
    consent_id = new_consent_id()
    given = service.record_choice(ALL, consent_id=consent_id, previous=None, ip=None)
    withdrawn = service.record_choice(ANALYTICS, consent_id=consent_id, previous=ALL, ip=None)
    refused = service.record_choice(ESSENTIAL_ONLY, consent_id=consent_id, previous=ANALYTICS, ip=None)
    renewed = service.record_choice(ESSENTIAL_ONLY, consent_id=consent_id, previous=ESSENTIAL_ONLY, ip=None)
    more = service.record_choice(ALL, consent_id=consent_id, previous=ESSENTIAL_ONLY, ip=None)
    assert {r.consent_id for r in (given, withdrawn, refused, renewed, more)} == {consent_id}
    assert [r.kind for r in (given, withdrawn, refused, renewed, more)] == [
        RecordKind.GIVEN, RecordKind.WITHDRAWN, RecordKind.WITHDRAWN, RecordKind.CHANGED, RecordKind.CHANGED]
    assert len(service.history(consent_id)) == 5


@pytest.mark.parametrize("made_up", ["", "short", "x" * 23, "a" * 21 + "!", "../../etc/passwd-xxxxxx"])
def test_consent_id_not_made_by_us_is_replaced_when_recorded(service, made_up):
    record = service.record_choice(ESSENTIAL_ONLY, consent_id=made_up, previous=None, ip=None)
    assert record.consent_id == "N" * 22
    assert service.history(made_up) == []


def test_record_has_no_ip_when_the_request_had_no_readable_one(service):
    assert service.record_choice(ESSENTIAL_ONLY, consent_id=None, previous=None, ip="unknown").ip_prefix is None


def test_new_consent_ids_are_random_and_of_the_accepted_shape():
    ids = {new_consent_id() for _ in range(100)}
    assert len(ids) == 100
    service = ConsentService(InMemoryConsentRecords(), clock=lambda: NOW)
    assert all(service.record_choice(ESSENTIAL_ONLY, consent_id=i, previous=None, ip=None).consent_id == i for i in ids)
