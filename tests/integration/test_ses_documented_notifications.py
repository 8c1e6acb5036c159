"""SES's identity notifications (`notificationType`, no tags), exactly as AWS documents them, for mail
the app really sent on moto: tied to the account, campaign and contact through the SES message id
the sender recorded (or a signed header), never guessed across tenants."""

import json
import uuid

import pytest

from chalicelib.audience.audience import SuppressionReason
from tests.integration.ses_notifications import (campaign_counts, documented, publish, reputation_counts,
                                                 sent_campaign, suppression_reason)
from tests.integration.test_bounces_and_reputation import ses_event

BOUNCING = "weg@example.org"
COMPLAINING = "boos@example.org"
STAYING = "blijft@example.org"


@pytest.mark.parametrize("original_headers", [False, True], ids=["without-original-headers", "with-original-headers"])
def test_documented_bounce_and_complaint_suppress_and_count_for_the_campaign(client, app_module, aws_resources,
                                                                              outbox, original_headers):
    # GIVEN a campaign the app sent on moto to three subscribers
    account_id, _, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox,
                                                      [BOUNCING, COMPLAINING, STAYING])
    # WHEN SES publishes its documented permanent bounce for one mail and complaint for another (no tags)
    publish(app_module, documented("bounce_with_dsn", mails[BOUNCING], original_headers))
    publish(app_module, documented("complaint_with_feedback_report", mails[COMPLAINING], original_headers))
    # THEN both addresses are suppressed for that account, with their reasons, and the third is not
    assert suppression_reason(account_id, BOUNCING) is SuppressionReason.HARD_BOUNCE
    assert suppression_reason(account_id, COMPLAINING) is SuppressionReason.COMPLAINT
    assert suppression_reason(account_id, STAYING) is None
    # AND the campaign's report and the account's reputation count one bounce and one complaint
    assert campaign_counts(account_id, campaign_id) == (1, 1)
    assert reputation_counts(account_id) == (1, 1)


def test_notification_for_a_message_id_never_sent_changes_nothing(client, app_module, aws_resources, outbox):
    # GIVEN a sent campaign
    account_id, _, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox, [BOUNCING])
    # WHEN a documented bounce names one of its recipients, but a message id the app never sent
    unknown = dict(mails[BOUNCING], message_id=f"0102019a{uuid.uuid4().hex}-000000")
    publish(app_module, documented("bounce_without_dsn", unknown, original_headers=False))
    # THEN no account is touched: the address of the same name is not suppressed, nothing is counted
    assert suppression_reason(account_id, BOUNCING) is None
    assert campaign_counts(account_id, campaign_id) == (0, 0)
    assert reputation_counts(account_id) == (0, 0)


def test_tags_that_disagree_with_the_send_record_are_overruled_by_it(client, app_module, aws_resources, outbox):
    from chalicelib.composition import services

    # GIVEN a sent campaign
    account_id, list_id, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox, [BOUNCING])
    # WHEN a tagged bounce of its mail names another account and campaign than the send record
    event = json.loads(ses_event("Bounce", "another-account", [BOUNCING], campaign_id="another-campaign",
                                 list_id="another-list"))
    event["mail"]["messageId"] = mails[BOUNCING]["message_id"]
    publish(app_module, json.dumps(event))
    # THEN it counts where the record says: the sender's account and campaign, never the tags' one
    assert suppression_reason(account_id, BOUNCING) is SuppressionReason.HARD_BOUNCE
    assert campaign_counts(account_id, campaign_id) == (1, 0)
    assert services().audience.suppression("another-account", BOUNCING) is None
    assert reputation_counts("another-account") == (0, 0)


def _forget_origin(aws_resources, message_id: str) -> None:
    aws_resources.client("dynamodb").delete_item(TableName="mailexpert-mail-events", Key={
        "message_id": {"S": message_id}, "event_key": {"S": "ORIGIN"}})


def test_signed_list_unsubscribe_header_identifies_a_mail_without_a_send_record(client, app_module, aws_resources,
                                                                                 outbox):
    # GIVEN a sent campaign mail whose send record is gone (past its retention, or never written)
    account_id, _, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox, [BOUNCING])
    mail = mails[BOUNCING]
    _forget_origin(aws_resources, mail["message_id"])
    # WHEN SES's documented bounce comes with the original headers, among them the mail's List-Unsubscribe
    header = ("List-Unsubscribe", mail["headers"]["List-Unsubscribe"])
    publish(app_module, documented("bounce_with_dsn", mail, extra_headers=[header]))
    # THEN the header's signed token ties it to the account (and its campaign): suppressed and counted
    assert suppression_reason(account_id, BOUNCING) is SuppressionReason.HARD_BOUNCE
    assert campaign_counts(account_id, campaign_id) == (1, 0)
    assert reputation_counts(account_id) == (1, 0)


def test_list_unsubscribe_header_with_a_forged_token_is_not_believed(client, app_module, aws_resources, outbox):
    account_id, _, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox, [BOUNCING])
    mail = mails[BOUNCING]
    _forget_origin(aws_resources, mail["message_id"])
    # WHEN the header's token is altered (its signature no longer fits)
    url = mail["headers"]["List-Unsubscribe"]
    token = url.split("/u/", 1)[1].split("?", 1)[0]
    forged = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    publish(app_module, documented("bounce_with_dsn", mail, extra_headers=[("List-Unsubscribe", forged)]))
    # THEN nothing is attributed to anyone
    assert suppression_reason(account_id, BOUNCING) is None
    assert campaign_counts(account_id, campaign_id) == (0, 0)


def test_documented_bounce_of_account_mail_is_kept_for_the_account_and_suppresses_nothing(
        client, app_module, aws_resources, outbox):
    from chalicelib.composition import services

    # GIVEN the account mail the app sent at registration (the address check), through the mail queue
    account_id, _, _, _ = sent_campaign(client, app_module, aws_resources, outbox, [STAYING])
    [account_mail] = [m for m in outbox.mails() if m["tags"].get("template") == "verify_email"]
    assert account_mail["tags"]["account"] == account_id
    # WHEN SES's documented permanent bounce for it arrives, without tags
    publish(app_module, documented("bounce_without_dsn", account_mail, original_headers=False))
    # THEN it is kept among the account's mail events (its data export and erasure find it)
    [event] = services().mail_events.for_account(account_id)
    assert (event.event_type.value, event.bounce_type) == ("Bounce", "Permanent")
    assert event.message_id == account_mail["message_id"]
    # AND, not being list mail, it suppresses nothing and counts toward no campaign or rate
    assert suppression_reason(account_id, account_mail["to"][0]) is None
    assert reputation_counts(account_id) == (0, 0)
