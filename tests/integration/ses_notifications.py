"""AWS's documented SES notifications (tests/data/ses_notifications), made about a mail the app sent,
and a campaign really sent on moto to have such mails."""

import email.utils
import json
import os

from tests.integration.test_campaign_received_history import _sent_campaign
from tests.integration.test_mail_round_trip import FakeContext, sns_event

EXAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "ses_notifications")
EXAMPLE_ADDRESSES = ("jane@example.com", "mary@example.com", "richard@example.com")
EXAMPLE_SOURCE = "john@example.com"
ORIGINAL_HEADER_FIELDS = ("headersTruncated", "headers", "commonHeaders")


def documented(name: str, mail: dict, original_headers: bool = True, extra_headers=()) -> str:
    """The documented example `name` about `mail` (an outbox entry): its message id, and its
    recipient and sender in place of the example's addresses; everything else as AWS wrote it.
    Without `original_headers`, as a notification not set to include them (no headers fields);
    `extra_headers` adds (name, value) headers of the mail itself to the example's."""
    with open(os.path.join(EXAMPLES_DIR, f"{name}.json"), encoding="utf-8") as file:
        text = file.read()
    [recipient] = mail["to"]
    for address in EXAMPLE_ADDRESSES:
        text = text.replace(address, recipient)
    text = text.replace(EXAMPLE_SOURCE, email.utils.parseaddr(mail["from"])[1])
    notification = json.loads(text)
    notification["mail"]["messageId"] = mail["message_id"]
    notification["mail"]["destination"] = [recipient]  # one address named three times is one
    detail = notification.get("bounce") or notification.get("complaint")
    for field in ("bouncedRecipients", "complainedRecipients"):
        if field in detail:
            detail[field] = detail[field][:1]
    if original_headers:
        notification["mail"]["headers"] += [{"name": n, "value": v} for n, v in extra_headers]
    else:
        for field in ORIGINAL_HEADER_FIELDS:
            notification["mail"].pop(field)
    assert "tags" not in notification["mail"]
    return json.dumps(notification)


def publish(app_module, message: str) -> None:
    """SNS hands the notification to the handler, as Lambda would."""
    app_module.on_ses_event(sns_event(message), FakeContext())


def sent_campaign(client, app_module, aws_resources, outbox, addresses, holder="anna@example.nl"):
    """An account's campaign really sent on moto to `addresses`: (account id, list id, campaign id,
    {address: the outbox entry of the mail SES accepted for it})."""
    _cookie, _csrf, list_id, campaign_id, account = _sent_campaign(client, app_module, aws_resources, outbox,
                                                                    addresses, email=holder)
    mails = {m["to"][0]: m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id}
    assert sorted(mails) == sorted(addresses)
    return account.account_id, list_id, campaign_id, mails


def campaign_counts(account_id: str, campaign_id: str) -> tuple[int, int]:
    """The campaign report's (bounced, complained)."""
    from chalicelib.composition import services

    report = services().campaign_service.report(services().accounts.get(account_id), campaign_id)
    return report["bounced"], report["complained"]


def reputation_counts(account_id: str) -> tuple[int, int]:
    """The account's (bounced, complained) over the reputation window."""
    from chalicelib.composition import services

    rates = services().reputation.rates(account_id)
    return rates.bounced, rates.complained


def suppression_reason(account_id: str, address: str):
    from chalicelib.composition import services

    suppression = services().audience.suppression(account_id, address)
    return suppression.reason if suppression else None
