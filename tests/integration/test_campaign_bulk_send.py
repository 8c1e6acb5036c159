"""Campaign mail goes to SES in SendBulkEmail calls of up to 50 mails; what SES answers for each
mail, or for the whole call, decides that mail's outcome alone."""

from chalicelib.delivery.send_ledger import CampaignStats, RecipientState
from tests.integration.campaign_helpers import Campaign, make_batches


def test_a_chunk_goes_out_in_one_bulk_call_with_each_mail_personal(aws_resources):
    # GIVEN a batch of 6, sent in one chunk
    campaign = Campaign(aws_resources)
    [batch] = make_batches("b1", batches=1, per_batch=6)
    # WHEN it is delivered
    assert campaign.deliver(("m-1", batch.to_json()), max_concurrency=50) is True
    # THEN SES got one SendBulkEmail, and each recipient one mail with their own headers and tags
    assert campaign.ses_calls == {"SendBulkEmail": 1}
    for recipient in batch.recipients:
        assert campaign.outbox.accepted[recipient.email] == 1
        request = campaign.outbox.requests[recipient.email]
        headers = {h["Name"]: h["Value"] for h in request["Content"]["Simple"]["Headers"]}
        assert recipient.contact_id in headers["List-Unsubscribe"]
        assert {t["Name"]: t["Value"] for t in request["EmailTags"]}["contact"] == recipient.contact_id
    assert campaign.ledger.stats("b1") == CampaignStats(sent=6)


def test_only_the_refused_mail_fails_when_ses_refuses_the_whole_call_because_of_it(aws_resources):
    # GIVEN a batch where one address makes SES refuse the whole bulk call (400)
    campaign = Campaign(aws_resources)
    [batch] = make_batches("b2", batches=1, per_batch=5)
    bad = batch.recipients[2]
    campaign.ses_answers["refuse_call_for"] = {bad.email}
    # WHEN it is delivered
    assert campaign.deliver(("m-1", batch.to_json()), max_concurrency=50, refused={bad.email: "BadRequestException"})
    # THEN the others were sent one by one, and only that one failed
    record = campaign.ledger.record("b2", batch.batch_id)
    assert set(record.failed) == {bad.contact_id}
    assert set(record.sent) == {r.contact_id for r in batch.recipients} - {bad.contact_id}
    assert campaign.ses_calls == {"SendBulkEmail": 1, "SendEmail": 5}
    assert all(campaign.outbox.accepted[r.email] == 1 for r in batch.recipients if r is not bad)


def test_only_the_throttled_entries_are_sent_again(aws_resources):
    # GIVEN SES answering ACCOUNT_THROTTLED for two entries, the first time only
    campaign = Campaign(aws_resources)
    [batch] = make_batches("b3", batches=1, per_batch=5)
    throttled_once = {batch.recipients[0].email, batch.recipients[3].email}

    def throttle_first_time(address):
        if address in throttled_once:
            throttled_once.discard(address)
            return "ACCOUNT_THROTTLED"
        return None

    campaign.ses_answers["entry_status"] = throttle_first_time
    # WHEN it is delivered
    assert campaign.deliver(("m-1", batch.to_json()), max_concurrency=50) is True
    # THEN a second call carried just those two, and everyone got exactly one mail
    assert campaign.ses_calls == {"SendBulkEmail": 2}
    assert all(campaign.outbox.accepted[r.email] == 1 for r in batch.recipients)
    assert campaign.ledger.stats("b3") == CampaignStats(sent=5)


def test_an_entry_status_ses_may_add_later_is_unknown_and_never_resent(aws_resources):
    # GIVEN SES answering a status we do not know for one entry
    campaign = Campaign(aws_resources)
    [batch] = make_batches("b4", batches=1, per_batch=3)
    odd = batch.recipients[1]
    campaign.ses_answers["entry_status"] = lambda address: "SOMETHING_NEW" if address == odd.email else None
    # WHEN it is delivered twice
    assert campaign.deliver(("m-1", batch.to_json()), max_concurrency=50) is True
    assert campaign.deliver(("m-1", batch.to_json()), max_concurrency=50) is True
    # THEN it is unknown (it may have gone), and it was never sent again
    record = campaign.ledger.record("b4", batch.batch_id)
    assert record.state_of(odd.contact_id) is RecipientState.UNKNOWN
    assert campaign.ses_calls == {"SendBulkEmail": 1}


def test_a_mail_too_large_for_a_bulk_entry_goes_alone_with_send_email(aws_resources):
    # GIVEN a batch where one recipient's mail is ~300 KB (a bulk entry takes at most 256 KB)
    campaign = Campaign(aws_resources)
    [batch] = make_batches("b5", batches=1, per_batch=4, huge={"k0x1"})
    big = batch.recipients[1]
    # WHEN it is delivered
    assert campaign.deliver(("m-1", batch.to_json()), max_concurrency=50) is True
    # THEN it went with SendEmail, the others together in one bulk call; everyone got one mail
    assert campaign.ses_calls == {"SendBulkEmail": 1, "SendEmail": 1}
    assert len(campaign.outbox.requests[big.email]["Content"]["Simple"]["Body"]["Html"]["Data"]) > 262_144
    assert all(campaign.outbox.accepted[r.email] == 1 for r in batch.recipients)


def test_a_paused_account_halts_the_chunk_and_nothing_is_marked_failed(aws_resources):
    # GIVEN SES answering ACCOUNT_SENDING_PAUSED for every entry
    campaign = Campaign(aws_resources)
    [batch] = make_batches("b6", batches=1, per_batch=4)
    campaign.ses_answers["entry_status"] = lambda address: "ACCOUNT_SENDING_PAUSED"
    # WHEN it is delivered
    assert campaign.deliver(("m-1", batch.to_json()), max_concurrency=50) is False
    # THEN nobody is failed or sent: the message comes back later
    record = campaign.ledger.record("b6", batch.batch_id)
    assert record.failed == {} and record.sent == {}
