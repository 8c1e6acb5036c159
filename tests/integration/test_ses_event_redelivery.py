"""SNS delivers at least once: each SES event counts once (campaign report, reputation, suppression),
by its feedback id or, without one, its identity; two different events of one mail count twice."""

import json

import pytest

from chalicelib.audience.audience import SuppressionReason
from tests.integration.ses_notifications import (campaign_counts, documented, publish, reputation_counts,
                                                 sent_campaign, suppression_reason)
from tests.integration.test_bounces_and_reputation import ses_event

BOUNCING = "weg@example.org"
COMPLAINING = "boos@example.org"


def suppressions_of(account_id: str) -> list:
    from chalicelib.composition import services

    return services().audience.suppressions(account_id)[0]


@pytest.mark.parametrize("original_headers", [False, True], ids=["without-original-headers", "with-original-headers"])
def test_the_same_documented_bounce_and_complaint_delivered_twice_count_once(client, app_module, aws_resources,
                                                                              outbox, original_headers):
    # GIVEN a campaign the app sent on moto
    account_id, _, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox,
                                                      [BOUNCING, COMPLAINING])
    bounce = documented("bounce_with_dsn", mails[BOUNCING], original_headers)
    complaint = documented("complaint_with_feedback_report", mails[COMPLAINING], original_headers)
    # WHEN SNS delivers the identical bounce and complaint twice each
    for message in (bounce, complaint, bounce, complaint):
        publish(app_module, message)
    # THEN the campaign and the account's reputation count each once
    assert campaign_counts(account_id, campaign_id) == (1, 1)
    assert reputation_counts(account_id) == (1, 1)
    # AND each address is suppressed once, with its reason
    assert suppression_reason(account_id, BOUNCING) is SuppressionReason.HARD_BOUNCE
    assert suppression_reason(account_id, COMPLAINING) is SuppressionReason.COMPLAINT
    assert len(suppressions_of(account_id)) == 2


def test_the_same_tagged_event_delivered_twice_counts_once(client, app_module, aws_resources, outbox):
    # GIVEN a campaign mail, and SES's configuration-set event (with tags, no feedback id) of its bounce
    account_id, list_id, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox, [BOUNCING])
    event = json.loads(ses_event("Bounce", account_id, [BOUNCING], campaign_id=campaign_id, list_id=list_id))
    event["mail"]["messageId"] = mails[BOUNCING]["message_id"]
    # WHEN SNS delivers it twice
    for _ in range(2):
        publish(app_module, json.dumps(event))
    # THEN it counts once
    assert campaign_counts(account_id, campaign_id) == (1, 0)
    assert reputation_counts(account_id) == (1, 0)


def test_one_bounce_reported_as_event_and_as_notification_counts_once(client, app_module, aws_resources, outbox):
    # GIVEN a campaign mail that bounced, which SES reports through the configuration set (tagged) and
    # through the identity's notifications (untagged), with the same feedback id
    account_id, list_id, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox, [BOUNCING])
    notification = json.loads(documented("bounce_with_dsn", mails[BOUNCING], original_headers=False))
    event = {"eventType": "Bounce", "bounce": notification["bounce"],
             "mail": {**notification["mail"], "tags": {"account": [account_id], "campaign": [campaign_id],
                                                        "list": [list_id]}}}
    # WHEN both arrive
    publish(app_module, json.dumps(event))
    publish(app_module, json.dumps(notification))
    # THEN the bounce counts once
    assert campaign_counts(account_id, campaign_id) == (1, 0)
    assert reputation_counts(account_id) == (1, 0)


def test_two_different_bounces_of_one_mail_count_twice(client, app_module, aws_resources, outbox):
    # GIVEN a campaign mail
    account_id, _, campaign_id, mails = sent_campaign(client, app_module, aws_resources, outbox, [BOUNCING])
    # WHEN SES reports two bounces of it (AWS's two documented examples: two feedback ids)
    publish(app_module, documented("bounce_with_dsn", mails[BOUNCING]))
    publish(app_module, documented("bounce_without_dsn", mails[BOUNCING]))
    # THEN both count
    assert campaign_counts(account_id, campaign_id) == (2, 0)
    assert reputation_counts(account_id) == (2, 0)
