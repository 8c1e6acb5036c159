"""What a campaign batch sends, and what becomes of recipients SES refuses, that cannot be rendered,
or that a pause, a cancellation or a halted account holds back."""

import random

from chalicelib.delivery.campaign_sender import handle_send_records
from chalicelib.delivery.send_ledger import CampaignStats, RecipientState
from tests.integration.campaign_helpers import CONFIGURATION_SET, FROM_ADDRESS, Campaign, Faults, make_batches


def test_campaign_mail_goes_out_with_unsubscribe_headers_tags_and_configuration_set(aws_resources):
    # GIVEN a batch of one recipient on a list
    campaign = Campaign(aws_resources)
    [batch] = make_batches("m1", batches=1, per_batch=1)
    [recipient] = batch.recipients
    # WHEN it is delivered
    assert campaign.deliver(("m-1", batch.to_json())) is True
    # THEN SES got a simple message (SES builds the MIME) from our address, under the configuration set
    request = campaign.outbox.requests[recipient.email]
    assert request["FromEmailAddress"] == FROM_ADDRESS
    assert request["ConfigurationSetName"] == CONFIGURATION_SET
    assert request["Destination"] == {"ToAddresses": [recipient.email]}
    simple = request["Content"]["Simple"]
    assert simple["Body"]["Text"]["Data"] and simple["Body"]["Html"]["Data"]
    # AND it carries the one-click unsubscribe headers (RFC 8058)
    headers = {h["Name"]: h["Value"] for h in simple["Headers"]}
    assert headers["List-Unsubscribe"].startswith("<https://")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # AND the tags by which SES events are attributed to the account, campaign, contact and list
    tags = {t["Name"]: t["Value"] for t in request["EmailTags"]}
    assert tags == {"account": "acct1", "campaign": "m1", "contact": recipient.contact_id, "list": "list1"}


def test_refused_and_unrenderable_recipients_are_failed_and_the_others_sent(aws_resources):
    # GIVEN a batch where SES refuses one address and one recipient's mail cannot be rendered
    campaign = Campaign(aws_resources)
    [batch] = make_batches("f1", batches=1, per_batch=6, explode={"k0x4"})
    refused = batch.recipients[1]
    # WHEN it is delivered
    settled = campaign.deliver(("m-1", batch.to_json()), refused={refused.email: "MessageRejected"})
    # THEN the message is done (a permanent refusal is not retried), with each failure's reason
    assert settled is True
    record = campaign.ledger.record("f1", batch.batch_id)
    assert record.failed == {refused.contact_id: "MESSAGE_REJECTED", "k0x4": "render-failed:ValueError"}
    assert len(record.sent) == 4
    assert campaign.outbox.accepted[refused.email] == 0
    assert campaign.ledger.stats("f1") == CampaignStats(sent=4, failed=2)


def test_pause_takes_effect_between_chunks_and_the_rest_is_sent_after_resuming(aws_resources):
    # GIVEN a batch of 6 sent 2 at a time, and a campaign paused while the first chunk is being sent
    campaign = Campaign(aws_resources)
    [batch] = make_batches("p1", batches=1, per_batch=6)
    message = ("m-1", batch.to_json())

    def pause():
        campaign.state["p1"] = "paused"

    # WHEN the message is delivered
    settled = campaign.deliver(message, max_concurrency=2, gate=pause, state_check_interval_s=0)
    # THEN only the first chunk went out; the others are not yet sent and the message goes back to the queue
    record = campaign.ledger.record("p1", batch.batch_id)
    assert settled is False
    assert len(record.sent) == 2
    assert [record.state_of(r.contact_id) for r in batch.recipients[2:]] == [RecipientState.NOT_YET] * 4
    # WHEN the campaign is resumed and SQS delivers the message again
    campaign.state["p1"] = "sending"
    assert campaign.deliver(message) is True
    # THEN the other four are sent, and nobody twice
    assert sorted(campaign.outbox.accepted.values()) == [1] * 6
    assert campaign.ledger.stats("p1") == CampaignStats(sent=6)


def test_cancel_marks_the_unsent_recipients_skipped_when_it_comes_mid_batch(aws_resources):
    # GIVEN a batch of 6 sent 2 at a time, and a campaign cancelled while the first chunk is being sent
    campaign = Campaign(aws_resources)
    [batch] = make_batches("x1", batches=1, per_batch=6)

    def cancel():
        campaign.state["x1"] = "cancelled"

    # WHEN the message is delivered
    settled = campaign.deliver(("m-1", batch.to_json()), max_concurrency=2, gate=cancel, state_check_interval_s=0)
    # THEN the message is done: two sent, four skipped, and skipped counted
    assert settled is True
    record = campaign.ledger.record("x1", batch.batch_id)
    assert len(record.sent) == 2
    assert record.skipped == {r.contact_id for r in batch.recipients[2:]}
    assert campaign.ledger.stats("x1") == CampaignStats(sent=2, skipped=4)


def test_halted_account_stops_the_batch_and_retries_it_later_when_ses_pauses_sending(aws_resources):
    # GIVEN SES refusing every mail because the account's sending is paused
    campaign = Campaign(aws_resources)
    [batch] = make_batches("h1", batches=1, per_batch=6)
    halted = {r.email: "SendingPausedException" for r in batch.recipients}
    # WHEN the message is delivered
    settled = campaign.deliver(("m-1", batch.to_json()), refused=halted, max_concurrency=2)
    # THEN nobody is marked failed (nothing is wrong with them), and the message comes back later
    assert settled is False
    record = campaign.ledger.record("h1", batch.batch_id)
    assert record.failed == {} and record.sent == {}
    assert campaign.deliver(("m-1", batch.to_json())) is True
    assert campaign.ledger.stats("h1") == CampaignStats(sent=6)


def test_malformed_message_is_a_batch_item_failure_and_its_batch_mates_are_sent(aws_resources):
    # GIVEN an SQS event with a malformed message next to a good one
    campaign = Campaign(aws_resources)
    [batch] = make_batches("g1", batches=1, per_batch=3)
    sender = campaign.sender(Faults(random.Random(0)))
    # WHEN it is handled
    try:
        answer = handle_send_records([("bad", '{"campaign_id": "g1"}'), ("good", batch.to_json())], sender)
    finally:
        sender.close()
    # THEN only the malformed one goes back (to end in the dead-letter queue), and the good one is sent
    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert campaign.ledger.stats("g1") == CampaignStats(sent=3)
