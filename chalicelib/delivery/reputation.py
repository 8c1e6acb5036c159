"""Sender reputation per account: repeated soft bounces, and bounce and complaint rates.

All customers send through MailExpert's one SES account, and SES judges that account by the
bounces and complaints of everyone together: one customer mailing a bought list can get every
customer paused. So each account is held to SES's own standards, from the SES events of its mail
(fed by app.py `on_ses_event` through `delivery.service.SesEventIngest`, which has settled whose mail
it was, suppressed permanent bounces and complainers at once, and stored the event):

- Transient ("soft") bounces (mailbox full, server down) of list mail are counted per account and
  address; the SOFT_BOUNCE_LIMIT-th within SOFT_BOUNCE_WINDOW suppresses the address for good
  (SuppressionReason.SOFT_BOUNCES). Item: pk `ACCOUNT#<account>` sk `SOFTBOUNCE#<address hash>`
  (never the address itself) holding a string set of `<epoch seconds>#<SES message id>` (a
  redelivered event adds nothing) and a TTL `expires_at`.
- Campaign mail is counted per account in daily buckets: pk `ACCOUNT#<account>` sk
  `REPUTATION#<yyyy-mm-dd>` with ADD counters `sent` (from the senders), `bounced` (permanent
  bounces) and `complained`, and a TTL. After each bounce or complaint the rates over the last
  REPUTATION_WINDOW_DAYS are computed; above a limit the account's sending is paused: a flag on the
  account (schedule and resume refuse), its scheduled and sending campaigns paused, and one mail to
  the account holder. Only staff lift it (`python -m ops.staff resume-sending EMAIL`), which also
  starts the window afresh.

Counters are ADDed, so each event must reach `record` once: `SesEventIngest` hands over only an
event it had not recorded before (SNS delivers at least once), and says which way that errs.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from chalicelib import errors
from chalicelib.i18n import N_
from chalicelib.observability import MetricUnit, logger, metrics

SOFT_BOUNCE_LIMIT = 3  # the third transient bounce ...
SOFT_BOUNCE_WINDOW = timedelta(days=30)  # ... within 30 days suppresses the address
REPUTATION_WINDOW_DAYS = 7  # rolling window of the rates, in daily buckets (today and the 6 days before)
BOUNCE_RATE_LIMIT = 0.05  # over 5% permanent bounces pauses (SES reviews an account at 5%)
COMPLAINT_RATE_LIMIT = 0.001  # over 0.1% complaints pauses (SES reviews at 0.1%)
# Minimum volume: rates are taken over at least this many sends, so a new account is not paused for
# one bounce in ten mails (1/200 = 0.5%), yet 11 bounces in its first 50 mails do pause it.
BOUNCE_MINIMUM_VOLUME = 200
# One complaint in fewer than 1,000 mails would already be over 0.1%: it takes a second one.
COMPLAINT_MINIMUM_VOLUME = 1000

SOFT_BOUNCE_PREFIX = "SOFTBOUNCE#"
REPUTATION_PREFIX = "REPUTATION#"


class SendingPaused(errors.DomainError):
    status = 409
    code = "sending-paused"
    title = N_("Sending is paused for your account")
    default_message = N_("Too many of your recent mails bounced or were marked as spam, so sending is paused. "
                         "Clean your lists and contact support to resume sending.")


def require_sending_allowed(account) -> None:
    """For scheduling and resuming campaigns: refused while the account's sending is paused."""
    if getattr(account, "sending_paused_at", None) is not None:
        raise SendingPaused()


@dataclass(frozen=True)
class Rates:
    """Campaign mail of one account over the window."""

    sent: int
    bounced: int
    complained: int

    @property
    def bounce_rate(self) -> float:
        return self.bounced / max(self.sent, 1)

    @property
    def complaint_rate(self) -> float:
        return self.complained / max(self.sent, 1)

    def exceeded(self) -> str | None:
        """Which limit is exceeded ("bounces", "complaints"), or None."""
        if self.bounced / max(self.sent, BOUNCE_MINIMUM_VOLUME) > BOUNCE_RATE_LIMIT:
            return "bounces"
        if self.complained / max(self.sent, COMPLAINT_MINIMUM_VOLUME) > COMPLAINT_RATE_LIMIT:
            return "complaints"
        return None


def _day(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%d")


def _percent(rate: float, language: str) -> str:
    text = f"{rate * 100:.2f}".rstrip("0").rstrip(".") + "%"
    return text.replace(".", ",") if language == "nl" else text


class DynamoReputationStore:
    """The soft-bounce and daily-counter items, in the campaigns table (under the account's key, so
    an account's erasure removes them with the rest)."""

    def __init__(self, dynamodb, table_name: str):
        self._client = dynamodb
        self._table = table_name

    def _key(self, account_id: str, sort_key: str) -> dict:
        return {"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": sort_key}}

    def add_soft_bounce(self, account_id: str, email_hash: str, entry: str, expires_at: int) -> set[str]:
        """Add one bounce; returns every bounce the item now holds."""
        answer = self._client.update_item(
            TableName=self._table, Key=self._key(account_id, SOFT_BOUNCE_PREFIX + email_hash),
            UpdateExpression="ADD bounces :entry SET expires_at = :expires",
            ExpressionAttributeValues={":entry": {"SS": [entry]}, ":expires": {"N": str(expires_at)}},
            ReturnValues="ALL_NEW")
        return set(answer["Attributes"].get("bounces", {}).get("SS", []))

    def forget_soft_bounces(self, account_id: str, email_hash: str, entries: set[str]) -> None:
        self._client.update_item(TableName=self._table, Key=self._key(account_id, SOFT_BOUNCE_PREFIX + email_hash),
                                 UpdateExpression="DELETE bounces :old",
                                 ExpressionAttributeValues={":old": {"SS": sorted(entries)}})

    def clear_soft_bounces(self, account_id: str, email_hash: str) -> None:
        self._client.delete_item(TableName=self._table, Key=self._key(account_id, SOFT_BOUNCE_PREFIX + email_hash))

    def add_counts(self, account_id: str, day: str, counts: dict[str, int], expires_at: int) -> None:
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        values = {f":v{i}": {"N": str(v)} for i, v in enumerate(counts.values())}
        self._client.update_item(
            TableName=self._table, Key=self._key(account_id, REPUTATION_PREFIX + day),
            UpdateExpression="ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(counts))) +
                             " SET expires_at = :expires",
            ExpressionAttributeNames=names, ExpressionAttributeValues={**values, ":expires": {"N": str(expires_at)}})

    def _buckets(self, account_id: str, first_day: str, last_day: str):
        start = None
        while True:
            page = self._client.query(
                TableName=self._table, KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
                ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{account_id}"},
                                           ":first": {"S": REPUTATION_PREFIX + first_day},
                                           ":last": {"S": REPUTATION_PREFIX + last_day}},
                ConsistentRead=True, **({"ExclusiveStartKey": start} if start else {}))
            yield from page.get("Items", [])
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def totals(self, account_id: str, first_day: str, last_day: str) -> Rates:
        totals = {"sent": 0, "bounced": 0, "complained": 0}
        for item in self._buckets(account_id, first_day, last_day):
            for name in totals:
                totals[name] += int(item.get(name, {}).get("N", 0))
        return Rates(**totals)

    def clear_counts(self, account_id: str) -> None:
        for item in list(self._buckets(account_id, "0000-00-00", "9999-99-99")):
            self._client.delete_item(TableName=self._table, Key={"pk": item["pk"], "sk": item["sk"]})


class Reputation:
    """`pause_campaigns(account)` stops the account's scheduled and sending campaigns (the campaigns
    domain does it: delivery knows no campaign states)."""

    def __init__(self, store, accounts, pause_campaigns, audience_service, mail_queue, support_address: str,
                 audit_log=None, clock=time.time):
        self._store = store
        self._accounts = accounts
        self._pause_campaigns = pause_campaigns
        self._audience = audience_service
        self._mail_queue = mail_queue
        self._support_address = support_address
        self._audit = audit_log
        self._clock = clock

    def record(self, event) -> None:
        """Take one SES event into account: soft bounces, the account's counters, and its limits."""
        from chalicelib.delivery.ses_events import SesEventType

        account_id = event.account_id
        if not account_id:
            return
        now = self._clock()
        if event.event_type is SesEventType.BOUNCE and event.bounce_type == "Transient" and event.for_list:
            for recipient in event.recipients:
                self._soft_bounce(account_id, recipient, event.message_id, now)
        if not event.campaign_id:
            return  # only campaign mail counts toward the rates (not test sends or account mail)
        counter = {SesEventType.COMPLAINT: "complained"}.get(event.event_type)  # sent: count_sent
        if event.event_type is SesEventType.BOUNCE and event.bounce_type == "Permanent":
            counter = "bounced"
        if counter is None:
            return
        day_start = int(now // 86400 * 86400)
        self._store.add_counts(account_id, _day(now), {counter: len(event.recipients) or 1},
                               expires_at=day_start + (REPUTATION_WINDOW_DAYS + 1) * 86400)
        if counter != "sent":
            self.check(account_id)

    def count_sent(self, account_id: str, count: int) -> None:
        """Campaign mails SES accepted, as the senders record them (campaign mail publishes no Send
        events: a million mails would be two million SNS publishes)."""
        now = self._clock()
        day_start = int(now // 86400 * 86400)
        self._store.add_counts(account_id, _day(now), {"sent": count},
                               expires_at=day_start + (REPUTATION_WINDOW_DAYS + 1) * 86400)

    def _soft_bounce(self, account_id: str, email: str, message_id: str, now: float) -> None:
        from chalicelib.audience.audience import SuppressionReason, address_hash
        from chalicelib.validation import address_key

        email_hash = address_hash(address_key(email))
        window_s = int(SOFT_BOUNCE_WINDOW.total_seconds())
        entries = self._store.add_soft_bounce(account_id, email_hash, f"{int(now):011d}#{message_id}",
                                              expires_at=int(now) + window_s)
        old = {e for e in entries if int(e.split("#", 1)[0]) <= now - window_s}
        if old:
            self._store.forget_soft_bounces(account_id, email_hash, old)
        if len(entries - old) < SOFT_BOUNCE_LIMIT:
            return
        # A lasting reason replaces another lasting one: keep a complaint or hard bounce as it is.
        if not self._audience.is_suppressed(account_id, email):
            self._audience.suppress(account_id, email, SuppressionReason.SOFT_BOUNCES, "ses repeated soft bounce")
            logger.info("address suppressed after soft bounces", account_id=account_id, bounces=len(entries - old))
        self._store.clear_soft_bounces(account_id, email_hash)

    def rates(self, account_id: str) -> Rates:
        now = self._clock()
        return self._store.totals(account_id, _day(now - (REPUTATION_WINDOW_DAYS - 1) * 86400), _day(now))

    def check(self, account_id: str) -> bool:
        """Pause the account's sending when its rates are over a limit; True when over."""
        rates = self.rates(account_id)
        exceeded = rates.exceeded()
        if exceeded is None:
            return False
        reason = {"limit": exceeded, "sent": rates.sent, "bounced": rates.bounced, "complained": rates.complained,
                  "window_days": REPUTATION_WINDOW_DAYS}
        newly = self._accounts.pause_sending(account_id, datetime.fromtimestamp(self._clock(), timezone.utc), reason)
        account = self._accounts.get(account_id)
        if account is None:
            return True
        self._pause_campaigns(account)  # again on each event over the limit: whatever slipped through
        if newly:
            logger.warning("account sending paused", account_id=account_id, limit=exceeded, sent=rates.sent,
                           bounced=rates.bounced, complained=rates.complained)
            metrics.add_metric(name="AccountSendingPaused", unit=MetricUnit.Count, value=1)
            self._notify(account, exceeded, rates)
            if self._audit is not None:
                from chalicelib.accounts.audit import AuditEvent

                self._audit.record(account_id, AuditEvent.SENDING_PAUSED, None, by="reputation", **reason)
        return True

    def _notify(self, account, exceeded: str, rates: Rates) -> None:
        from chalicelib.delivery.mail import MailRequest
        from chalicelib.delivery.service import queue_mail

        language = account.language
        context = {"name": account.name, "limit": exceeded, "sent": rates.sent, "days": REPUTATION_WINDOW_DAYS,
                   "bounce_rate": _percent(rates.bounce_rate, language),
                   "bounce_limit": _percent(BOUNCE_RATE_LIMIT, language),
                   "complaint_rate": _percent(rates.complaint_rate, language),
                   "complaint_limit": _percent(COMPLAINT_RATE_LIMIT, language),
                   "support_address": self._support_address}
        queue_mail(self._mail_queue, MailRequest(template="sending_paused", to=(account.email,), language=language,
                                                 context=context, tags={"account": account.account_id}))

    def resume(self, account) -> None:
        """Staff lift the pause; the window starts afresh, else the next bounce would pause again.
        Paused campaigns stay paused: the account holder resumes them."""
        self._accounts.resume_sending(account.account_id)
        self._store.clear_counts(account.account_id)
        if self._audit is not None:
            from chalicelib.accounts.audit import AuditEvent

            self._audit.record(account.account_id, AuditEvent.SENDING_RESUMED, None, by="command line")
        logger.info("account sending resumed", account_id=account.account_id)
