"""Shared steps for the notice mail tests: account holders stored in moto, a version announced on a
clock the test moves, the jobs queue run as Lambda would, and the notice mails counted in the outbox
(what the app handed to SES and SES accepted)."""

import collections
from datetime import datetime, timedelta, timezone

from chalicelib.accounts.account import AccountStatus
from tests.fakes.accounts import an_account
from tests.fakes.notices import Clock
from tests.integration.test_mail_round_trip import FakeContext, sqs_event

STAFF = an_account("staff-1", "staff@example.nl", staff=True)
NOW = datetime.now(timezone.utc)
BEFORE = NOW - timedelta(days=200)
CONFIRMED = BEFORE + timedelta(minutes=5)


def holders(count: int, prefix: str = "h", **changes) -> list:
    """`count` confirmed, active account holders registered long ago, stored in the accounts table."""
    from chalicelib.composition import services

    stored = []
    for number in range(count):
        fields = {"created_at": BEFORE, "email_verified_at": CONFIRMED, "language": "nl" if number % 2 else "en",
                  **changes}
        account = an_account(f"{prefix}{number:03d}", f"{prefix}{number:03d}@example.nl", **fields)
        services().accounts.create(account)
        stored.append(account)
    return stored


def deactivated_holder(account_id: str = "gone-1"):
    return holders(1, prefix=account_id + "-", status=AccountStatus.DEACTIVATED)[0]


def announce_version_2(clock: Clock | None = None) -> Clock:
    """Version 2 announced now, taking effect on the earliest date allowed."""
    from chalicelib.composition import services
    from chalicelib.notices.policy_service import earliest_effective_date

    clock = clock or Clock(NOW)
    services().clock = clock
    policy = services().policy
    draft = policy.draft(STAFF, "# Privacybeleid\n\nNieuw.\n", "# Privacy policy\n\nNew.\n")
    policy.announce(STAFF, draft.number, earliest_effective_date(clock()).isoformat())
    return clock


def notices_sent(outbox, number: int = 2, template: str = "policy_notice") -> collections.Counter:
    """How many notice mails of version `number` SES accepted, per address."""
    return collections.Counter(address for mail in outbox.mails()
                               if mail["tags"].get("template") == template
                               and mail["tags"].get("policy") == str(number) for address in mail["to"])


def run_jobs_queue(app_module, aws_resources, limit: int = 50, failures_allowed: bool = False) -> int:
    """Deliver the jobs queue's messages one at a time to on_job_message, as Lambda would, until it is
    empty; a message that failed stays on the queue (invisible). Returns how many were delivered."""
    sqs = aws_resources.client("sqs")
    url = sqs.get_queue_url(QueueName="mailexpert-jobs")["QueueUrl"]
    delivered = 0
    for _ in range(limit):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        if not messages:
            return delivered
        answer = app_module.on_job_message(sqs_event(messages), FakeContext())
        delivered += 1
        assert failures_allowed or not answer["batchItemFailures"], "a job failed"
        if not answer["batchItemFailures"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    raise AssertionError("the jobs queue did not run empty")


def queued_jobs(aws_resources) -> int:
    sqs = aws_resources.client("sqs")
    url = sqs.get_queue_url(QueueName="mailexpert-jobs")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def an_engine(channel=None, **options):
    """A broadcast engine like the app's, with another channel (fault injection) or options."""
    from chalicelib import aws
    from chalicelib.composition import services
    from chalicelib.config import settings
    from chalicelib.delivery.broadcast import BroadcastEngine, DynamoBroadcastLedger
    from chalicelib.notices.policy_notice import POLICY_KIND, PolicyNotices

    config = settings()
    app = services()
    return BroadcastEngine(app.accounts, DynamoBroadcastLedger(aws.dynamodb(), config.notices_table),
                           channel or app.mail_engine.channel(config.ses_configuration_set), app.jobs_queue,
                           {POLICY_KIND: PolicyNotices(app.policy, config.public_base_url)},
                           clock=lambda: app.clock(), **options)


class WorkerKilled(Exception):
    """The worker dies (a time-out, out of memory): nothing after this point runs."""


class DyingChannel:
    """The app's channel, but the worker dies right after SES accepted the `die_after`th mail."""

    def __init__(self, channel, die_after: int):
        self._channel = channel
        self._left = die_after
        self.accepted = 0

    def take(self, tokens: int) -> None:
        self._channel.take(tokens)

    def send_one(self, mail, token_taken: bool = False) -> str:
        message_id = self._channel.send_one(mail, token_taken)
        self.accepted += 1
        self._left -= 1
        if self._left == 0:
            raise WorkerKilled("after SES accepted the mail, before its outcome was recorded")
        return message_id
