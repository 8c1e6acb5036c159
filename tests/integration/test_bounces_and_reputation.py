"""Bounces and complaints through the SES event handler: suppression per address, and the
account's reputation (bounce and complaint rates) pausing its sending, on moto."""

import json
import uuid

import pytest

from tests.integration.accounts_helpers import deliver_mail, mails_to, post_form
from tests.integration.audience_helpers import account_with_list, members
from tests.integration.test_campaign_flow import _add, _campaign_with_template
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.test_mail_round_trip import FakeContext, sns_event
from tests.integration.review_helpers import send_through_review

HOLDER = "anna@example.nl"
DAY_S = 86400
START = 1_800_000_000.0


def ses_event(event_type: str, account_id: str, recipients, campaign_id: str | None = "camp-1",
              list_id: str | None = "list-1", bounce_type: str = "Permanent") -> str:
    """An SES event-publishing notification for one mail, tagged as the campaign sender tags it."""
    tags = {"account": [account_id], "ses:configuration-set": ["mailexpert"]}
    if campaign_id:
        tags["campaign"] = [campaign_id]
    if list_id:
        tags["list"] = [list_id]
    mail = {"timestamp": "2026-11-25T10:00:00.000Z", "source": "MailExpert <noreply@mailexpert.nl>",
            "messageId": uuid.uuid4().hex, "destination": list(recipients), "tags": tags}
    event = {"eventType": event_type, "mail": mail}
    if event_type == "Send":
        event["send"] = {}
    elif event_type == "Bounce":
        event["bounce"] = {"bounceType": bounce_type,
                           "bounceSubType": "General" if bounce_type == "Permanent" else "MailboxFull",
                           "bouncedRecipients": [{"emailAddress": a} for a in recipients],
                           "timestamp": "2026-11-25T10:00:01.000Z"}
    elif event_type == "Complaint":
        event["complaint"] = {"complainedRecipients": [{"emailAddress": a} for a in recipients],
                              "complaintFeedbackType": "abuse", "timestamp": "2026-11-25T10:00:02.000Z"}
    return json.dumps(event)


def deliver(app_module, message: str) -> None:
    app_module.on_ses_event(sns_event(message), FakeContext())


def account_id_of(email: str = HOLDER) -> str:
    from chalicelib.composition import services

    return services().accounts.by_email(email).account_id


class Clock:
    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app_module, monkeypatch):
    """The handler's reputation service, on a clock the test moves."""
    from chalicelib import aws
    from chalicelib.composition import services
    from chalicelib.config import settings
    from chalicelib.delivery.reputation import DynamoReputationStore, Reputation

    fake = Clock()
    clocked = Reputation(DynamoReputationStore(aws.dynamodb(), settings().campaigns_table), services().accounts,
                         services().campaign_service.pause_all, services().audience_service, services().mail_queue,
                         settings().support_address, services().audit_log, clock=fake)
    monkeypatch.setattr(services(), "reputation", clocked)
    return fake


def paused_mails(outbox):
    return [m for m in mails_to(outbox, HOLDER) if m["tags"].get("template") == "sending_paused"]


def test_permanent_bounce_on_campaign_mail_suppresses_and_unsubscribes_at_once(client, app_module, aws_resources,
                                                                               outbox):
    from chalicelib.composition import services
    from chalicelib.audience.audience import SuppressionReason

    # GIVEN a subscriber on an account's list
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "piet@example.org", "Piet")
    account_id = account_id_of()
    # WHEN SES reports a permanent bounce of campaign mail to them
    deliver(app_module, ses_event("Bounce", account_id, ["piet@example.org"], list_id=list_id))
    # THEN the address is suppressed as a hard bounce and left the list
    assert services().audience.suppression(account_id, "piet@example.org").reason is SuppressionReason.HARD_BOUNCE
    assert members(aws_resources, list_id) == []
    assert len(members(aws_resources, list_id, status="unsubscribed")) == 1


def test_complaint_suppresses_and_unsubscribes_at_once(client, app_module, aws_resources, outbox):
    from chalicelib.composition import services
    from chalicelib.audience.audience import SuppressionReason

    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "piet@example.org", "Piet")
    account_id = account_id_of()
    # WHEN the person marks a campaign mail as spam
    deliver(app_module, ses_event("Complaint", account_id, ["piet@example.org"], list_id=list_id))
    # THEN the address is suppressed as a complaint and unsubscribed
    assert services().audience.suppression(account_id, "piet@example.org").reason is SuppressionReason.COMPLAINT
    assert members(aws_resources, list_id) == []


def test_third_soft_bounce_within_30_days_suppresses_the_address(client, app_module, aws_resources, outbox, clock):
    from chalicelib.composition import services
    from chalicelib.audience.audience import SuppressionReason

    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "vol@example.org", "Vol")
    account_id = account_id_of()
    # WHEN two transient bounces arrive, ten days apart
    for _ in range(2):
        deliver(app_module, ses_event("Bounce", account_id, ["vol@example.org"], list_id=list_id,
                                      bounce_type="Transient"))
        clock.now += 10 * DAY_S
    # THEN the address is not suppressed yet, and what is kept of it is a hash, never the address
    assert not services().audience_service.is_suppressed(account_id, "vol@example.org")
    items = aws_resources.resource("dynamodb").Table("mailexpert-campaigns").scan()["Items"]
    counted = [i for i in items if i["sk"].startswith("SOFTBOUNCE#")]
    assert len(counted) == 1 and "vol@example.org" not in json.dumps(counted, default=str)
    assert counted[0]["expires_at"] > clock.now
    # WHEN the third arrives, 20 days after the first
    deliver(app_module, ses_event("Bounce", account_id, ["vol@example.org"], list_id=list_id, bounce_type="Transient"))
    # THEN it is suppressed for good, with its own reason
    suppression = services().audience.suppression(account_id, "vol@example.org")
    assert suppression.reason is SuppressionReason.SOFT_BOUNCES


def test_soft_bounces_spread_over_more_than_30_days_do_not_suppress(client, app_module, aws_resources, outbox,
                                                                     clock):
    from chalicelib.composition import services

    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    account_id = account_id_of()
    # WHEN three transient bounces arrive 20 days apart (the first is 40 days old at the third)
    for _ in range(3):
        deliver(app_module, ses_event("Bounce", account_id, ["vol@example.org"], list_id=list_id,
                                      bounce_type="Transient"))
        clock.now += 20 * DAY_S
    # THEN the address is still mailed
    assert not services().audience_service.is_suppressed(account_id, "vol@example.org")
    # AND a fourth, within 30 days of the two before, does suppress it
    clock.now -= 15 * DAY_S
    deliver(app_module, ses_event("Bounce", account_id, ["vol@example.org"], list_id=list_id, bounce_type="Transient"))
    assert services().audience_service.is_suppressed(account_id, "vol@example.org")


def test_bounce_rate_over_5_percent_pauses_the_account_and_mails_the_holder_once(client, app_module, aws_resources,
                                                                                  outbox):
    from chalicelib.composition import services
    from chalicelib.campaigns.campaigns import CampaignState

    # GIVEN an account with a campaign that is sending, and a second one in draft
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "klant@example.com", "Klant")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    draft_id = _campaign_with_template(client, cookie, csrf, list_id)
    send_through_review(client, cookie, csrf, campaign_id)
    run_background_jobs(app_module, aws_resources)
    account_id = account_id_of()
    outbox.clear()
    # WHEN the senders had 300 campaign mails accepted and SES reports 20 of them bouncing permanently (6.7%)
    recipients = [f"r{n}@example.com" for n in range(300)]
    services().reputation.count_sent(account_id, len(recipients))
    for address in recipients[:20]:
        deliver(app_module, ses_event("Bounce", account_id, [address], campaign_id=campaign_id, list_id=list_id))
    deliver_mail(app_module, aws_resources)
    # THEN the account's sending is paused, with the reason, and its sending campaign is paused
    account = services().accounts.get(account_id)
    assert account.sending_paused_at is not None
    assert account.sending_paused_reason["limit"] == "bounces"
    assert services().campaign_service.get_campaign(account, campaign_id).state is CampaignState.PAUSED
    # AND the holder got exactly one mail saying why and whom to contact
    [mail] = paused_mails(outbox)
    assert "info@mailexpert.nl" in mail["text"] and "%" in mail["text"]
    # WHEN a further bounce arrives
    deliver(app_module, ses_event("Bounce", account_id, ["r20@example.com"], campaign_id=campaign_id, list_id=list_id))
    deliver_mail(app_module, aws_resources)
    # THEN no second mail is sent
    assert len(paused_mails(outbox)) == 1
    # AND no campaign can be sent or resumed while paused
    refused = post_form(client, f"/campaigns/{draft_id}/schedule", {"csrf_token": csrf, "when": "now"}, cookie=cookie)
    assert refused.status_code == 409, refused.body
    refused = post_form(client, f"/campaigns/{campaign_id}/resume", {"csrf_token": csrf}, cookie=cookie)
    assert refused.status_code == 409, refused.body
    # WHEN staff lift the pause
    services().reputation.resume(account)
    # THEN the holder may resume, and the window starts afresh: the next bounce does not pause again
    assert post_form(client, f"/campaigns/{campaign_id}/resume", {"csrf_token": csrf},
                     cookie=cookie).status_code == 303
    deliver(app_module, ses_event("Bounce", account_id, ["r21@example.com"], campaign_id=campaign_id, list_id=list_id))
    assert services().accounts.get(account_id).sending_paused_at is None


def test_new_account_with_one_bounce_in_ten_mails_is_not_paused(client, app_module, aws_resources, outbox):
    from chalicelib.composition import services

    _, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    account_id = account_id_of()
    outbox.clear()
    # WHEN its first 10 campaign mails are sent and one bounces (10%, but below the minimum volume)
    recipients = [f"r{n}@example.com" for n in range(10)]
    services().reputation.count_sent(account_id, len(recipients))
    deliver(app_module, ses_event("Bounce", account_id, recipients[:1], list_id=list_id))
    deliver_mail(app_module, aws_resources)
    # THEN sending goes on and nobody is mailed about it
    assert services().accounts.get(account_id).sending_paused_at is None
    assert paused_mails(outbox) == []
