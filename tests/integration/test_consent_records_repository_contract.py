"""The consent record repositories keep one contract: DynamoDB (in the notices table, against moto)
and the in-memory one the unit tests use alike."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.consent.record import ConsentRecord, RecordKind
from chalicelib.consent.repository import DynamoConsentRecords, InMemoryConsentRecords

MOMENT = datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc)


def _record(consent_id: str, minutes: int, choice: str = "1.essential", ip_prefix: str | None = "203.0.113.0"):
    return ConsentRecord(consent_id=consent_id, recorded_at=MOMENT + timedelta(minutes=minutes), choice=choice,
                         analytics="analytics" in choice, marketing="marketing" in choice, banner_version=1,
                         kind=RecordKind.GIVEN if minutes == 0 else RecordKind.CHANGED, ip_prefix=ip_prefix,
                         expires_at=int((MOMENT + timedelta(days=730)).timestamp()))


@pytest.fixture(params=["dynamodb", "memory"])
def records(request):
    if request.param == "memory":
        yield InMemoryConsentRecords()
        return
    aws_resources = request.getfixturevalue("aws_resources")
    yield DynamoConsentRecords(aws_resources.client("dynamodb"), "mailexpert-notices")


def test_records_of_one_consent_id_come_back_oldest_first_and_whole(records):
    # GIVEN two browsers' choices, stored out of order, one without a readable IP
    one, other = "A" * 22, "B" * 22
    for record in (_record(one, 5, "1.analytics"), _record(other, 0), _record(one, 0, "1.analytics.marketing"),
                   _record(one, 9, ip_prefix=None)):
        records.add(record)
    # WHEN one browser's records are read
    found = records.of(one)
    # THEN they are exactly its own, oldest first, as stored
    assert found == [_record(one, 0, "1.analytics.marketing"), _record(one, 5, "1.analytics"),
                     _record(one, 9, ip_prefix=None)]
    assert records.of("C" * 22) == []


def test_the_same_choice_twice_in_one_moment_is_kept_twice(records):
    twice = _record("D" * 22, 1)
    records.add(twice)
    records.add(twice)
    assert records.of("D" * 22) == [twice, twice]
