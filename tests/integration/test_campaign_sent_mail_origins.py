"""The campaign sender remembers whose each mail SES accepted is, under its SES message id, before the
ledger records it sent: SES's notifications name only that id."""

import random

from chalicelib.delivery.mail import MailOrigin
from chalicelib.delivery.send_ledger import RecipientState
from chalicelib.delivery.sent_mail import DynamoSentMail
from tests.integration.campaign_helpers import Campaign, Faults, WorkerKilled, make_batches

MAIL_EVENTS_TABLE = "mailexpert-mail-events"


def test_each_accepted_mail_is_remembered_under_its_message_id(aws_resources):
    # GIVEN a batch of 7 recipients, sent 4 at a time
    campaign = Campaign(aws_resources)
    sent_mail = DynamoSentMail(aws_resources.client("dynamodb"), MAIL_EVENTS_TABLE)
    [batch] = make_batches("c1", batches=1, per_batch=7)
    # WHEN it is sent
    assert campaign.deliver(("m-1", batch.to_json()), sent_mail=sent_mail)
    # THEN each mail's message id leads back to its account, campaign and contact, as list mail
    for recipient in batch.recipients:
        message_id = campaign.outbox.message_ids[recipient.email]
        assert sent_mail.origin(message_id) == MailOrigin("acct1", "c1", recipient.contact_id, list_mail=True)
    assert sent_mail.origin("0102019a-never-sent-000000") is None


def test_a_worker_dying_before_the_checkpoint_leaves_the_recipients_unknown_but_their_mail_known(aws_resources):
    # GIVEN a batch of 3 whose worker dies right before the checkpoint that records them sent
    campaign = Campaign(aws_resources)
    sent_mail = DynamoSentMail(aws_resources.client("dynamodb"), MAIL_EVENTS_TABLE)
    [batch] = make_batches("c2", batches=1, per_batch=3)
    checkpoints = []

    def die_at_the_second_checkpoint():
        checkpoints.append(1)
        if len(checkpoints) == 2:
            raise WorkerKilled("before the outcomes are recorded")

    sender = campaign.sender(Faults(random.Random(0)), sent_mail=sent_mail,
                             before_checkpoint=die_at_the_second_checkpoint)
    try:
        sender.send_batch(batch)
    except WorkerKilled:
        pass
    finally:
        sender.close()
    # WHEN the message comes back after the lease expired
    campaign.clock.advance(600)
    assert campaign.deliver(("m-2", batch.to_json()))
    # THEN the recipients are unknown (never resent), yet SES's events of their mail can be attributed
    record = campaign.ledger.record("c2", batch.batch_id)
    for recipient in batch.recipients:
        assert record.state_of(recipient.contact_id) is RecipientState.UNKNOWN
        assert campaign.outbox.accepted[recipient.email] == 1
        origin = sent_mail.origin(campaign.outbox.message_ids[recipient.email])
        assert (origin.account_id, origin.campaign_id, origin.contact_id) == ("acct1", "c2", recipient.contact_id)


def test_an_origin_write_that_fails_does_not_fail_the_batch(aws_resources):
    class Failing(DynamoSentMail):
        def __init__(self, client):
            super().__init__(client, "no-such-table")

    # GIVEN a sent-mail store whose writes fail (here: its table is missing)
    campaign = Campaign(aws_resources)
    [batch] = make_batches("c3", batches=1, per_batch=3)
    # WHEN the batch is sent
    delivered = campaign.deliver(("m-3", batch.to_json()), sent_mail=Failing(aws_resources.client("dynamodb")))
    # THEN the mails are recorded sent all the same (the loss is logged and counted as a metric)
    assert delivered
    assert campaign.ledger.stats("c3").sent == 3
