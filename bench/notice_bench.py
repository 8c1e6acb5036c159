"""Policy notices: accounts noticed per CPU second for 100,000 accounts, against in-process AWS emulation.

What runs is our real code: `BroadcastEngine.run` pages through `DynamoAccounts.page` (PynamoDB's
Scan), keeps the audience (`in_audience`, `PolicyNotice.includes`), renders each notice from the mail
templates (`PolicyNotice.render`), claims and records each account in `DynamoBroadcastLedger`, and
sends through the one mail engine (`MailEngine` channel: `RateLimiter(DynamoTokenBucket)`, SES v2
SendEmail, the sent-mail origin in `DynamoSentMail`). Every AWS call goes through real botocore
clients and is answered at `before-send` by `AwsEmulator` (bench/aws_emulation.py), as in
bench/send_bench.py; the 100,000 accounts are generated on read, not stored.

`notice_accounts_per_s` is accounts noticed (mails SES accepted) per CPU second of the process minus
the CPU time inside the emulator's handlers, which stand in for the network and AWS. Beside it, the
bare ceiling: SendEmail of one of the run's notices, alone, through the same client and emulator,
measured in the same run. A notice costs more than a bare SendEmail by design: a conditional claim
and a recorded outcome (two DynamoDB writes) per account, a token from the shared bucket, and the
sent-mail origin, so that every account gets it exactly once.

Run by `make bench` (bench/run.py) in a subprocess of its own; prints a breakdown and one JSON line of
results last. BENCH_NOTICE_ACCOUNTS=5000 runs a smaller audience for a quick look.
"""

import contextlib
import json
import os
import sys
from collections import Counter
from datetime import date, datetime, timedelta, timezone

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(PROJECT_DIR, "bench")
for _path in (PROJECT_DIR, BENCH_DIR):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from aws_emulation import ENDPOINT, REGION, AwsEmulator  # noqa: E402
from send_bench import BASE_URL, SEND_RATE_PER_S, _cpu, _environment, _quiet_logs  # noqa: E402
from sizes import size  # noqa: E402

# smoke: a few pages of 100 accounts, each page with every kind of account_item
ACCOUNTS = int(os.environ.get("BENCH_NOTICE_ACCOUNTS", size(100_000, smoke=250)))
ACCOUNTS_TABLE = "mailexpert-accounts"
NOTICES_TABLE = "mailexpert-notices"
CAMPAIGNS_TABLE = "mailexpert-campaigns"  # the token bucket's
MAIL_EVENTS_TABLE = "mailexpert-mail-events"  # the sent-mail origins'

BARE_CALLS = size(3_000, smoke=30)
BARE_WARM_UP = size(50, smoke=5)
ANNOUNCED = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
STAMP = "2025-06-01T10:00:00.000000+0000"
LATE_STAMP = "2026-12-08T10:00:00.000000+0000"  # registered after the announcement: no mail


def account_item(number: int) -> dict:
    """An account as DynamoAccounts stores it: 1 in 20 never confirmed its address, 1 in 20 registered
    after the announcement, 1 in 10 deactivated (they do get the notice), half Dutch, half English."""
    account_id = f"01HZXACC{number:018d}"
    item = {"pk": {"S": f"ACCOUNT#{account_id}"}, "account_id": {"S": account_id},
            "email": {"S": f"houder{number}@example.nl"}, "name": {"S": "Anna de Vries"},
            "phone": {"S": "+31201234567"}, "street": {"S": "Keizersgracht 1"}, "postcode": {"S": "1015 CJ"},
            "city": {"S": "Amsterdam"}, "country": {"S": "NL"}, "language": {"S": "nl" if number % 2 else "en"},
            "password_hash": {"S": "$argon2id$v=19$m=65536,t=3,p=4$" + "x" * 70},
            "password_changed_at": {"S": STAMP}, "status": {"S": "deactivated" if number % 10 == 3 else "active"},
            "plan": {"S": "free"}, "staff": {"BOOL": False}, "product_news": {"BOOL": number % 4 == 0},
            "created_at": {"S": LATE_STAMP if number % 20 == 7 else STAMP}, "version": {"N": "3"}}
    if number % 20 != 11:
        item["email_verified_at"] = {"S": STAMP}
    return item


def install_accounts(emulator: AwsEmulator, count: int) -> None:
    def scan(request):
        start = request.get("ExclusiveStartKey")
        first = int(start["pk"]["S"][-18:]) + 1 if start else 0
        limit = request.get("Limit", 1_000)
        items = [account_item(number) for number in range(first, min(count, first + limit))]
        last = {"pk": items[-1]["pk"]} if len(items) == limit else None
        return items, last

    emulator.virtual_scan[ACCOUNTS_TABLE] = scan


class Policy:
    """The policy service as the notice kind sees it: version 2, announced and pending."""

    def __init__(self):
        from chalicelib.notices.policy import PolicyStatus, PolicyVersion

        self.version = PolicyVersion(number=2, text_nl="# Privacybeleid\n", text_en="# Privacy policy\n",
                                     status=PolicyStatus.ANNOUNCED, announced_at=ANNOUNCED,
                                     effective_on=date(2027, 1, 7))

    def get(self, number: int):
        return self.version

    def now(self) -> datetime:
        return ANNOUNCED + timedelta(hours=1)


class Jobs:
    def __init__(self):
        self.queued = []

    def enqueue(self, job: dict) -> str:
        self.queued.append(job)
        return str(len(self.queued))


class World:
    def __init__(self, emulator: AwsEmulator):
        import boto3
        from botocore.config import Config

        from chalicelib.accounts.repository import DynamoAccounts
        from chalicelib.delivery.engine import MailEngine
        from chalicelib.delivery.rate_limit import DynamoTokenBucket, RateLimiter
        from chalicelib.delivery.sent_mail import DynamoSentMail
        from chalicelib.delivery.broadcast import BroadcastEngine, DynamoBroadcastLedger
        from chalicelib.notices.policy_notice import POLICY_KIND, PolicyNotices

        self.emulator = emulator
        session = boto3.session.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
        self.dynamodb = session.client("dynamodb", endpoint_url=ENDPOINT)
        self.sesv2 = session.client("sesv2", endpoint_url=ENDPOINT, config=Config(
            retries={"mode": "standard", "total_max_attempts": 1}, max_pool_connections=64))
        for client in (self.dynamodb, self.sesv2):
            emulator.attach(client)
        accounts = DynamoAccounts(ACCOUNTS_TABLE, REGION, ENDPOINT)
        from chalicelib.accounts.models import AccountModel

        emulator.attach(AccountModel._get_connection().connection.client)
        limiter = RateLimiter(DynamoTokenBucket(self.dynamodb, CAMPAIGNS_TABLE), SEND_RATE_PER_S)
        self.channel = MailEngine(self.sesv2, limiter, "MailExpert <noreply@mailexpert.nl>",
                                  sent_mail=DynamoSentMail(self.dynamodb, MAIL_EVENTS_TABLE)).channel("mailexpert")
        self.jobs = Jobs()
        self.engine = BroadcastEngine(accounts, DynamoBroadcastLedger(self.dynamodb, NOTICES_TABLE), self.channel,
                                      self.jobs, {POLICY_KIND: PolicyNotices(Policy(), BASE_URL)},
                                      clock=lambda: ANNOUNCED + timedelta(hours=1), budget_s=3600)


def expected_noticed(count: int) -> int:
    return sum(1 for number in range(count) if number % 20 not in (7, 11))


def main() -> dict:
    _environment()
    emulator = AwsEmulator()
    install_accounts(emulator, ACCOUNTS)
    world = World(emulator)
    _quiet_logs()
    devnull = open(os.devnull, "w")
    with contextlib.redirect_stdout(devnull), _cpu(emulator) as spent:
        report = world.engine.run("policy", "2")
    noticed = expected_noticed(ACCOUNTS)
    assert report.finished and report.sent == noticed == emulator.ses_recipients, (report, noticed)
    calls, wru, rru = Counter(emulator.calls), Counter(emulator.wru), Counter(emulator.rru)
    rate = noticed / spent["ours"]
    # the bare ceiling: one of the run's notices, sent alone through the same client and emulator
    from chalicelib.delivery.sender import SesSender

    from chalicelib.accounts.account import Account
    from chalicelib.notices.policy_notice import PolicyNotices

    holder = Account(account_id="01HZXACCBARE", email="houder@example.nl", name="Anna de Vries", phone="+31201234567",
                     street="Keizersgracht 1", postcode="1015 CJ", city="Amsterdam", country="NL", language="nl",
                     password_hash="x", password_changed_at=ANNOUNCED, created_at=ANNOUNCED - timedelta(days=90),
                     email_verified_at=ANNOUNCED - timedelta(days=90))
    notice = PolicyNotices(Policy(), BASE_URL).message("2").render(holder)
    sender = SesSender(world.sesv2, "MailExpert <noreply@mailexpert.nl>", "mailexpert")
    for _ in range(BARE_WARM_UP):
        sender.send(notice)
    with _cpu(emulator) as bare:
        for _ in range(BARE_CALLS):
            sender.send(notice)
    bare_rate = BARE_CALLS / bare["ours"]
    print(f"  notices: {ACCOUNTS:,} accounts paged, {noticed:,} noticed in {report.pages} pages: "
          f"{spent['wall']:.2f} s wall, {spent['cpu']:.2f} s CPU of which {spent['emulator']:.2f} s in the "
          f"emulator: {rate:,.0f} accounts noticed per CPU second of ours ({noticed / spent['cpu']:,.0f} gross)")
    print(f"    calls: {dict(sorted((f'{s}.{o}', n) for (s, o), n in calls.items()))}")
    print(f"    DynamoDB per notice: {sum(wru.values()) / noticed:.2f} WRU, {sum(rru.values()) / noticed:.2f} RRU")
    print(f"  bare SES SendEmail of one notice: {bare_rate:,.0f} calls per CPU second; "
          f"notices are {rate / bare_rate:.2f} of that")
    return {"notice_accounts_per_s": rate, "notice_bare_ses_calls_per_s": bare_rate}


if __name__ == "__main__":
    print(json.dumps(main()))
