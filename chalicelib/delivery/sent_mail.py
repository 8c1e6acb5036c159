"""Which mail SES accepted under which message id: the origin of each mail, found again from an SES event.

SES's identity notifications (`notificationType`) carry no tags, only the SES message id (and the
original headers, when the identity is set to include them). So the senders remember, for each mail
SES accepted, whose it was: one small item in the mail events table, beside that mail's events,

  message_id <SES message id>  event_key ORIGIN   origin "<account> <campaign> <contact> <L or ->"
                                                  expires_at (TTL)

(L: the mail went to a list's member, so its permanent bounce or complaint suppresses the address.)

Campaign mail is remembered by `CampaignSender` for each chunk SES accepted (BatchWriteItem, 25
items a call), transactional mail by `SesSender.send`. The item stays under 1 KB: one write unit per
mail ($1.25 a million on demand), the price of finding every bounce and complaint again without
tags. It holds only opaque ids, no address and not even the list (only that there was one). It is
not on the `by-account` index (that would double its write cost), so an account's erasure leaves
these ids of nothing behind until the TTL removes them.
"""

import time

from chalicelib.delivery.mail import MailOrigin
from chalicelib.dynamo import write_batch
from chalicelib.observability import MetricUnit, logger, metrics

ORIGIN_KEY = "ORIGIN"  # the item's sort key; the mail's events sort by their time ("2026-...")
# SES reports bounces within minutes, complaints (ISP feedback loops) within days: kept well past that.
SENT_MAIL_RETENTION_S = 90 * 24 * 3600
MAX_BATCH_WRITE_ITEMS = 25  # DynamoDB's limit per BatchWriteItem
UNPROCESSED_RETRIES = 3
_SEPARATOR = " "  # ids never hold whitespace (the send batch and the ledger refuse it)


class DynamoSentMail:
    """The origin items, through a boto3 DynamoDB client (cheaper in CPU than a PynamoDB model per item)."""

    def __init__(self, client, table_name: str, clock=time.time, sleep=time.sleep):
        self._client = client
        self._table = table_name
        self._clock = clock
        self._sleep = sleep

    def remember(self, sent) -> None:
        """Keep the origin of each (SES message id, MailOrigin). Never raises an Exception: the mail
        has left; a write that failed only means its events cannot be attributed (logged)."""
        expires = {"N": str(int(self._clock()) + SENT_MAIL_RETENTION_S)}
        requests = [{"PutRequest": {"Item": {"message_id": {"S": message_id}, "event_key": {"S": ORIGIN_KEY},
                                             "origin": {"S": _joined(origin)}, "expires_at": expires}}}
                    for message_id, origin in sent]
        for start in range(0, len(requests), MAX_BATCH_WRITE_ITEMS):
            self._write(requests[start:start + MAX_BATCH_WRITE_ITEMS])

    def _write(self, requests: list[dict]) -> None:
        try:
            requests = write_batch(self._client, self._table, requests, self._sleep, UNPROCESSED_RETRIES)
            if not requests:
                return
            reason = "unprocessed"
        except Exception as error:
            reason = type(error).__name__
        logger.warning("sent mail origins not kept", reason=reason, mails=len(requests))
        metrics.add_metric(name="SentMailOriginsLost", unit=MetricUnit.Count, value=len(requests))

    def origin(self, message_id: str) -> MailOrigin | None:
        item = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key={"message_id": {"S": message_id}, "event_key": {"S": ORIGIN_KEY}},
                                     ProjectionExpression="origin").get("Item")
        return _split(item["origin"]["S"]) if item and "origin" in item else None


def _joined(origin: MailOrigin) -> str:
    return _SEPARATOR.join((origin.account_id, origin.campaign_id or "-", origin.contact_id or "-",
                            "L" if origin.for_list else "-"))


def _split(text: str) -> MailOrigin | None:
    parts = text.split(_SEPARATOR)
    if len(parts) != 4 or not parts[0]:
        return None
    account_id, campaign_id, contact_id, list_mail = (None if part == "-" else part for part in parts)
    return MailOrigin(account_id, campaign_id, contact_id, list_mail=list_mail == "L")
