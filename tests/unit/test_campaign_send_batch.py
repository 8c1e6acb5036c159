"""A campaign batch message: read back exactly as written, and anything malformed is one clear error."""

import json

import pytest

from chalicelib import errors
from chalicelib.delivery.campaign_sender import Recipient, SendBatch

BATCH = SendBatch(campaign_id="c1", account_id="a1", batch_id="b0007", recipients=(
    Recipient(contact_id="k1", email="anne@example.nl", first_name="Anne", last_name="de Vries", language="nl",
              fields={"city": "Utrecht", "points": 3}, list_id="l1"),
    Recipient(contact_id="k2", email="bob@example.com"),
))


def body(**changes) -> str:
    data = json.loads(BATCH.to_json())
    data.update(changes)
    return json.dumps(data)


def test_batch_reads_back_what_was_written():
    # GIVEN a batch with a full and a minimal recipient
    # WHEN it travels through the queue as JSON
    again = SendBatch.from_json(BATCH.to_json())
    # THEN it is the same batch
    assert again == BATCH
    assert isinstance(again.recipients, tuple)


def test_batch_keeps_non_ascii_text_readable_when_written():
    batch = SendBatch("c1", "a1", "b1", (Recipient("k1", "zoë@example.nl", first_name="Zoë"),))
    assert "Zoë" in batch.to_json()
    assert SendBatch.from_json(batch.to_json()) == batch


@pytest.mark.parametrize("bad", [
    "not json",
    "[]",
    json.dumps({"campaign_id": "c1", "account_id": "a1", "batch_id": "b1"}),
    body(campaign_id=""),
    body(batch_id="two words"),
    body(account_id=7),
    body(recipients="k1"),
    body(recipients=[{"contact_id": "k1"}]),
    body(recipients=[{"contact_id": "k1", "email": "no-at-sign"}]),
    body(recipients=[{"contact_id": "k 1", "email": "a@example.nl"}]),
    body(recipients=[{"contact_id": "k1", "email": "a@example.nl", "fields": ["x"]}]),
    body(recipients=[{"contact_id": "k1", "email": "a@example.nl", "first_name": 3}]),
    body(recipients=[{"contact_id": "k1", "email": "a@example.nl"}, {"contact_id": "k1", "email": "b@example.nl"}]),
], ids=["not-json", "not-object", "no-recipients", "empty-campaign", "space-in-batch", "number-account",
        "recipients-not-list", "no-email", "bad-email", "space-in-contact", "fields-not-object", "name-not-text",
        "same-contact-twice"])
def test_malformed_batch_is_a_malformed_request_when_read(bad):
    # GIVEN a queued body that is not a valid batch
    # WHEN the sender reads it
    # THEN it is one domain error, which sends the message to the dead-letter queue in the end
    with pytest.raises(errors.MalformedRequest):
        SendBatch.from_json(bad)
