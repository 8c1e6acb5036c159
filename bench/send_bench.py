"""Campaign sending speed and AWS cost, against in-process AWS emulation: one run, several figures.

What runs is our real code: `CampaignService.fanout` (DynamoCampaigns and DynamoAudience through
PynamoDB, SendMessageBatch through boto3) and `handle_send_records` with a real `CampaignSender`,
`DynamoSendLedger`, `RateLimiter(DynamoTokenBucket)`, `CampaignService.renderer_for` (campaign read,
two BatchGetItems for eligibility, the compiled template of bench/render_bench.py with click and
open tracking, unsubscribe links and List-Unsubscribe headers). Every AWS call goes through real
botocore clients (parameter validation, serialisation, SigV4 signing, retry handler, response
parsing) and is answered at `before-send`, in place of the HTTP round trip, by `AwsEmulator`
(bench/aws_emulation.py: SES v2, SQS, and a dict-backed DynamoDB that computes capacity units).
The audience (100,000 subscribed contacts) is generated on read, not stored.

Per-core figures are recipients per CPU second of the process (time.process_time(), all threads)
minus the CPU time spent inside the emulator's handlers, which stand in for the network and AWS
itself; the gross figures are printed too. The bare SES ceiling is measured the same way, through
the same client and handler, with a request captured from the send run.

The send run and the bare SES loop are interleaved in ROUNDS, so that other load on this shared
machine falls on both sides of `send_efficiency` alike.

Not measured: network latency of DynamoDB and SQS (the latency figure delays SES calls only), TLS,
Lambda cold starts. Costed but not from counted calls: the SES events' SNS publishes (campaign mail
publishes only bounces, complaints, rejects and delays: 3 in 100 mails assumed). Not costed: on_ses_event's own Lambda invocations and
DynamoDB writes for those few events (printed as a note).

Run by `make bench` (bench/run.py) in a subprocess of its own; prints a breakdown and one JSON
line of results last.
"""

import contextlib
import json
import math
import os
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timezone

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(PROJECT_DIR, "bench")
for _path in (PROJECT_DIR, BENCH_DIR):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from aws_emulation import ENDPOINT, REGION, AwsEmulator, EmulatedClients  # noqa: E402
from sizes import size  # noqa: E402

AUDIENCE_TABLE = "mailexpert-audience"
ACCOUNT_ID = "01HZXACCOUNT0000000000000A"
LIST_ID = "01HZXLIST000000000000000LL"
BASE_URL = "https://app.mailexpert.nl"

# The fan-out's messages (50 recipients each) feed the send rounds, then the latency run, and the
# last WARM_UP_MESSAGES the warm-up: the fan-out has to reach them all. Smoke: a few fan-out pages
# (of 500), two messages a round.
FANOUT_RECIPIENTS = size(100_000, smoke=1_200)
SEND_RECIPIENTS = size(20_000, smoke=400)  # a whole number of messages in each round
LATENCY_RECIPIENTS = size(5_000, smoke=100)
WARM_UP_MESSAGES = size(20, smoke=2)
BARE_CALLS = size(5_000, smoke=40)
ROUNDS = 4  # send and bare SES measurements alternate
SES_LATENCY_S = 0.030
RECORDS_PER_INVOCATION = 2  # app.py: on_campaign_send batch_size
SEND_RATE_PER_S = 100_000.0  # an account rate the limiter never waits on: we measure our code
EVENT_SAMPLE = 2_000

# AWS list prices (eu-west-1 on-demand; USD)
SES_PER_MAIL = 0.10 / 1000
SQS_PER_REQUEST = 0.40 / 1e6  # each 64 KB chunk of a request's payload is one request
# DynamoDB on-demand since 1 November 2024 (halved then; eu-west-1 was 1.4135 and 0.283 before)
DDB_PER_WRU = 0.7068 / 1e6
DDB_PER_RRU = 0.1415 / 1e6
LAMBDA_PER_INVOCATION = 0.20 / 1e6
LAMBDA_PER_GB_S = 0.0000166667
SNS_PER_PUBLISH = 0.50 / 1e6  # SES publishing to the topic; deliveries to Lambda are free
LAMBDA_FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at 1,769 MB
SEND_MEMORY_MB = 1024  # .chalice/config.json: on_campaign_send
JOBS_MEMORY_MB = 1024  # on_job_message (the fan-out)
EVENTS_MEMORY_MB = 512  # on_ses_event: the stage default
# Campaign mail's configuration set publishes only problems (bounce, complaint, reject, delay): at
# most a few in a hundred mails on a list kept clean (an account is paused above 5% bounces).
SES_EVENTS_PER_MAIL = 0.03
MAILS = 1_000_000


# --- the audience, generated --------------------------------------------------------------------

STAMP = "2026-09-01T10:00:00.000000+0000"
CONSENT = json.dumps({"source": "import", "at": "2026-09-01T10:00:00+00:00", "lawful_basis": "consent",
                      "ip": "192.0.2.10", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
                      "text": "Ja, ik wil de nieuwsbrief van Bakkerij De Molen ontvangen."})


def contact_id(number: int) -> str:
    return f"01HZXCONTACT{number:014d}"


def contact_item(number: int) -> dict:
    """A subscribed contact whose home list is LIST_ID, as DynamoAudience stores it; the names and
    fields of bench/render_bench.py's contacts, so the template's conditional blocks vary."""
    cid = contact_id(number)
    names = ("Anna", "Bram", "Chloë", "Daan", "", "Finn", "Julia", "Lucas", "Sanne", "Zoë")
    cities = ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Tilburg")
    interests = (["brood", "taart"], ["koekjes"], [], ["brood", "gebak", "workshops"])
    fields = {"city": cities[number % len(cities)], "interesses": interests[number % len(interests)]}
    if number % 3:
        fields["klantnummer"] = f"K{number:06d}"
    address = f"klant{number}@example.nl"
    item = {"pk": {"S": f"ACCOUNT#{ACCOUNT_ID}"}, "sk": {"S": f"CONTACT#{cid}"}, "contact_id": {"S": cid},
            "email": {"S": address}, "email_key": {"S": address}, "last_name": {"S": "Jansen"},
            "language": {"S": "nl"}, "fields": {"S": json.dumps(fields, ensure_ascii=False)},
            "created_at": {"S": STAMP}, "updated_at": {"S": STAMP}, "list_id": {"S": LIST_ID},
            "status": {"S": "subscribed"}, "consent": {"S": CONSENT}, "member_updated_at": {"S": STAMP},
            "gsi1pk": {"S": f"LIST#{LIST_ID}"}, "gsi1sk": {"S": f"subscribed#{cid}"}}
    if names[number % len(names)]:
        item["first_name"] = {"S": names[number % len(names)]}
    return item


def install_audience(emulator: AwsEmulator, count: int) -> None:
    prefix = f"CONTACT#{contact_id(0)[:-14]}"

    def get(pk, sk):
        if pk == f"ACCOUNT#{ACCOUNT_ID}" and sk.startswith(prefix):
            number = int(sk[len(prefix):])
            return contact_item(number) if number < count else None
        return None  # no suppressions, no other memberships

    def by_list(request):
        values = request["ExpressionAttributeValues"]
        wanted = {value["S"] for value in values.values()}
        if f"LIST#{LIST_ID}" not in wanted or not any(w.startswith("subscribed#") for w in wanted):
            return [], None
        start = request.get("ExclusiveStartKey")
        first = int(start["gsi1sk"]["S"].rsplit("#", 1)[1][-14:]) + 1 if start else 0
        limit = request.get("Limit", 1_000)
        numbers = range(first, min(count, first + limit))
        items = [contact_item(number) for number in numbers]
        last = None
        if len(items) == limit:  # DynamoDB answers a key after a full page, even the last one
            last = {name: items[-1][name] for name in ("pk", "sk", "gsi1pk", "gsi1sk")}
        return items, last

    emulator.virtual[AUDIENCE_TABLE] = get
    emulator.virtual_query[(AUDIENCE_TABLE, "by-list")] = by_list


# --- the wiring ------------------------------------------------------------------------------------

def _environment() -> None:
    with open(os.path.join(PROJECT_DIR, ".chalice", "config.json"), encoding="utf-8") as file:
        config = json.load(file)
    os.environ.update(config.get("environment_variables", {}))
    os.environ.update(config["stages"]["dev"].get("environment_variables", {}))
    os.environ.update({"AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": "x",
                       "AWS_SECRET_ACCESS_KEY": "x", "POWERTOOLS_TRACE_DISABLED": "true"})


def _account():
    """The sending account, on the largest plan: the fan-out checks the month's recipients against it."""
    from chalicelib.accounts.account import Account, Plan

    now = datetime.now(timezone.utc)
    return Account(ACCOUNT_ID, "info@demolen.nl", "Bakkerij De Molen", "+31201234567", "Molenstraat 1",
                   "1011 AB", "Amsterdam", "NL", "nl", "argon2-hash-not-used", now, now, plan=Plan.PROFESSIONAL,
                   email_verified_at=now)


class World:
    """Everything the fan-out and the senders need, built by the app's composition root
    (`chalicelib.composition.Services`) on clients the emulator answers."""

    def __init__(self, emulator: AwsEmulator):
        from chalicelib.composition import Services
        from chalicelib.config import parse_settings

        self.emulator = emulator
        clients = EmulatedClients(emulator, REGION, ENDPOINT)
        config = parse_settings({**os.environ, "AWS_ENDPOINT_URL": ENDPOINT, "PUBLIC_BASE_URL": BASE_URL,
                                 "SES_SEND_RATE_PER_S": str(SEND_RATE_PER_S),
                                 "ASSETS_BUCKET": "mailexpert-assets-bench", "EXPORTS_BUCKET": "mailexpert-exports-bench"})
        self.services = Services(config, clients=clients)
        self.sesv2 = clients.single_attempt_client("sesv2")  # the mail engine's client
        self.store = self.services.campaigns_store
        self.service = self.services.campaign_service
        from chalicelib.accounts import models as account_models
        from chalicelib.audience import models as audience_models
        from chalicelib.campaigns import models as campaign_models

        # PynamoDB makes a botocore client per model (never for the abstract base, whose connection
        # the models would inherit without their indexes)
        for module in (account_models, audience_models, campaign_models):
            for model in vars(module).values():
                if isinstance(model, type) and not model.__name__.startswith("_") and \
                        getattr(getattr(model, "Meta", None), "host", None) == ENDPOINT:
                    emulator.attach(model._get_connection().connection.client)
        self.services.accounts._to_item(_account()).save()  # create() is a transaction, which the emulator lacks
        from chalicelib.usage.plans import Meter
        from chalicelib.usage.repository import DynamoUsage

        # the account's contacts, as its imports claimed them
        DynamoUsage(clients.dynamodb(), config.campaigns_table).seed(ACCOUNT_ID, Meter.CONTACTS, FANOUT_RECIPIENTS)

    def campaign(self) -> str:
        """A campaign in the sending state, the render benchmark's newsletter as its content."""
        from chalicelib.campaigns.campaigns import Campaign, CampaignState
        from chalicelib.campaigns.template_saving import prepare_template
        from render_bench import NEWSLETTER_HTML

        prepared = prepare_template(NEWSLETTER_HTML, None, "{{ contact.first_name | default('Hallo') }}, de herfst is er")
        now = __import__("datetime").datetime.now(__import__("datetime").timezone.utc)
        campaign = Campaign(uuid.uuid4().hex, ACCOUNT_ID, "Herfstnieuws", prepared.subject, "Bakkerij De Molen",
                            "info@demolen.nl", "t1", LIST_ID, None, CampaignState.SENDING, now, now, send_at=now,
                            tracking=True, started_at=now,
                            content={"subject": prepared.subject, "html": prepared.html, "text": prepared.text,
                                     "links": list(prepared.links), "text_derived": prepared.text_derived})
        self.store.save_campaign(campaign)
        return campaign.campaign_id

    def sender(self):
        """The container's campaign sender, as on_campaign_send uses it (close it to stop its threads)."""
        return self.services.campaign_sender


def _quiet_logs():
    from chalicelib.observability import logger

    logger.registered_handler.setStream(open(os.devnull, "w"))  # INFO lines are formatted, not kept


@contextlib.contextmanager
def _cpu(emulator: AwsEmulator):
    """Measures wall seconds, process CPU seconds and the emulator's share of them."""
    result = {}
    emulator_before = emulator.cpu_inside
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        yield result
    finally:
        result["wall"] = time.perf_counter() - wall
        result["cpu"] = time.process_time() - cpu
        result["emulator"] = emulator.cpu_inside - emulator_before
        result["ours"] = result["cpu"] - result["emulator"]


def _invocations(messages: list[str]):
    for start in range(0, len(messages), RECORDS_PER_INVOCATION):
        yield [(f"msg-{start + i}", body) for i, body in enumerate(messages[start:start + RECORDS_PER_INVOCATION])]


def _send(world: World, messages: list[str]) -> tuple[int, list]:
    from chalicelib.delivery.campaign_sender import handle_send_records

    failures = []
    with world.sender() as sender:
        for records in _invocations(messages):
            failures += handle_send_records(records, sender)["batchItemFailures"]
    return sum(len(json.loads(body)["recipients"]) for body in messages), failures


def _captured_requests(world: World) -> tuple[dict, dict]:
    """A SendBulkEmail request of the send run, and the SendEmail SES makes of its first mail."""
    from devstack.devtools.ses_bulk import single_requests

    bulk = json.loads(world.emulator.ses_requests[0])  # rest-json: the body holds the request's members
    return bulk, single_requests(bulk)[0]


def _bare(world: World, call, request: dict, calls: int, warm_up: int) -> dict:
    """One SES v2 operation alone, through the same client and emulator as the send run."""
    for _ in range(warm_up):
        call(**request)
    with _cpu(world.emulator) as spent:
        for _ in range(calls):
            call(**request)
    return spent


def _bare_ses(world: World, calls: int) -> dict:
    """SendEmail with a mail of the send run: the ceiling for sending one mail per call."""
    return _bare(world, world.sesv2.send_email, _captured_requests(world)[1], calls, warm_up=50)


def _bare_bulk_ses(world: World, calls: int) -> dict:
    """SendBulkEmail with one of the send run's requests (as many mails per call as it sent)."""
    return _bare(world, world.sesv2.send_bulk_email, _captured_requests(world)[0], calls, warm_up=5)


def _pct(cost: float) -> float:
    return cost / (SES_PER_MAIL * MAILS) * 100


def main() -> dict:
    _environment()
    emulator = AwsEmulator()
    install_audience(emulator, FANOUT_RECIPIENTS)
    world = World(emulator)
    _quiet_logs()
    devnull = open(os.devnull, "w")

    # --- fan-out ---------------------------------------------------------------------------------
    campaign_id = world.campaign()
    emulator.reset_counts()
    with contextlib.redirect_stdout(devnull), _cpu(emulator) as fanout_time:
        progress = world.service.fanout(ACCOUNT_ID, campaign_id)
    assert progress is not None and progress.recipients == FANOUT_RECIPIENTS, progress
    assert len(emulator.messages) * 50 >= FANOUT_RECIPIENTS
    fanout_calls, fanout_wru, fanout_rru = Counter(emulator.calls), Counter(emulator.wru), Counter(emulator.rru)
    fanout_sqs_requests = emulator.sqs_requests
    fanout_rate = FANOUT_RECIPIENTS / fanout_time["ours"]
    emulator.keep_messages = False
    messages = emulator.messages
    message_bytes = sum(len(body.encode()) for body in messages) / len(messages)

    # --- sending, one core, alternating with the bare SES ceiling --------------------------------
    send_messages = messages[:SEND_RECIPIENTS // 50]
    _send(world, messages[-WARM_UP_MESSAGES:])  # warm up: compiles the campaign, starts the pool, fills caches
    emulator.reset_counts()
    send_time = Counter()
    bare_time = Counter()
    per_round = len(send_messages) // ROUNDS
    for round_number in range(ROUNDS):
        with contextlib.redirect_stdout(devnull), _cpu(emulator) as spent:
            sent, failures = _send(world, send_messages[round_number * per_round:(round_number + 1) * per_round])
        assert not failures and sent == per_round * 50, (sent, failures[:3])
        send_time.update(spent)
        calls_then = (Counter(emulator.calls), Counter(emulator.wru), Counter(emulator.rru), emulator.ses_recipients)
        bare_time.update(_bare_ses(world, BARE_CALLS // ROUNDS))
        emulator.calls, emulator.wru, emulator.rru, emulator.ses_recipients = calls_then  # not the send's
    send_calls, send_wru, send_rru = Counter(emulator.calls), Counter(emulator.wru), Counter(emulator.rru)
    assert emulator.ses_recipients == SEND_RECIPIENTS, (emulator.ses_recipients, send_calls)
    send_rate = SEND_RECIPIENTS / send_time["ours"]
    bare_rate = BARE_CALLS / bare_time["ours"]
    bulk_mails = len(_captured_requests(world)[0]["BulkEmailEntries"])
    bulk_calls = max(1, BARE_CALLS // bulk_mails)
    bare_bulk_rate = bulk_calls * bulk_mails / _bare_bulk_ses(world, bulk_calls)["ours"]

    # --- one worker, 30 ms per SES call ------------------------------------------------------------
    emulator.ses_latency_s = SES_LATENCY_S
    latency_messages = messages[len(send_messages):len(send_messages) + LATENCY_RECIPIENTS // 50]
    with contextlib.redirect_stdout(devnull), _cpu(emulator) as latency_time:
        sent, failures = _send(world, latency_messages)
    assert not failures and sent == LATENCY_RECIPIENTS, (sent, failures[:3])
    emulator.ses_latency_s = 0.0
    latency_rate = LATENCY_RECIPIENTS / latency_time["wall"]

    # --- cost per million mails --------------------------------------------------------------------
    scale_fanout = MAILS / FANOUT_RECIPIENTS
    scale_send = MAILS / SEND_RECIPIENTS
    send_message_count = MAILS / 50
    invocations = send_message_count / RECORDS_PER_INVOCATION
    rows = []

    def row(what: str, quantity: float, unit: str, price: float, note: str = ""):
        rows.append((what, quantity, unit, quantity * price, note))

    row("SQS SendMessageBatch (fan-out)", fanout_sqs_requests * scale_fanout, "requests", SQS_PER_REQUEST,
        f"{fanout_calls[('sqs', 'SendMessageBatch')]} calls for {FANOUT_RECIPIENTS:,}; 64 KB chunks billed")
    receive_chunks = max(1, math.ceil(RECORDS_PER_INVOCATION * message_bytes / 65536))
    row("SQS ReceiveMessage (Lambda poller)", invocations * receive_chunks, "requests", SQS_PER_REQUEST,
        f"assumed one per invocation of {RECORDS_PER_INVOCATION} messages of {message_bytes / 1024:.1f} KB")
    row("SQS DeleteMessageBatch (poller)", invocations, "requests", SQS_PER_REQUEST, "one per invocation")
    for operation, units in sorted(fanout_wru.items()):
        row(f"DynamoDB {operation} (fan-out)", units * scale_fanout, "WRU", DDB_PER_WRU,
            f"{fanout_calls[('dynamodb', operation)]} calls for {FANOUT_RECIPIENTS:,}")
    for operation, units in sorted(fanout_rru.items()):
        row(f"DynamoDB {operation} (fan-out)", units * scale_fanout, "RRU", DDB_PER_RRU,
            f"{fanout_calls[('dynamodb', operation)]} calls for {FANOUT_RECIPIENTS:,}")
    for operation, units in sorted(send_wru.items()):
        row(f"DynamoDB {operation} (send)", units * scale_send, "WRU", DDB_PER_WRU,
            f"{send_calls[('dynamodb', operation)]} calls for {SEND_RECIPIENTS:,}")
    for operation, units in sorted(send_rru.items()):
        row(f"DynamoDB {operation} (send)", units * scale_send, "RRU", DDB_PER_RRU,
            f"{send_calls[('dynamodb', operation)]} calls for {SEND_RECIPIENTS:,}")
    row("Lambda on_campaign_send invocations", invocations, "invocations", LAMBDA_PER_INVOCATION,
        f"{RECORDS_PER_INVOCATION} messages each")
    # billed duration: the 30 ms run's wall time, its CPU part slowed to a 1,024 MB Lambda's share of a vCPU
    send_seconds = (latency_time["wall"] + latency_time["ours"] * (LAMBDA_FULL_VCPU_MB / SEND_MEMORY_MB - 1)) \
        / LATENCY_RECIPIENTS * MAILS
    row("Lambda on_campaign_send duration", send_seconds * SEND_MEMORY_MB / 1024, "GB-s", LAMBDA_PER_GB_S,
        f"{send_seconds:,.0f} s at {SEND_MEMORY_MB} MB (30 ms SES, DynamoDB latency not modelled)")
    fanout_seconds = fanout_time["ours"] * LAMBDA_FULL_VCPU_MB / JOBS_MEMORY_MB * scale_fanout
    row("Lambda on_job_message duration (fan-out)", fanout_seconds * JOBS_MEMORY_MB / 1024, "GB-s",
        LAMBDA_PER_GB_S, f"{fanout_seconds:,.0f} s CPU at {JOBS_MEMORY_MB} MB (no I/O latency modelled)")
    row("SNS publishes of SES events", MAILS * SES_EVENTS_PER_MAIL, "publishes", SNS_PER_PUBLISH,
        "problems only (3 per 100 mails assumed); SNS -> Lambda delivery is free")
    send_path = sum(r[3] for r in rows if not r[0].startswith("SNS"))
    total = sum(r[3] for r in rows)
    overhead = _pct(total)

    # --- report ----------------------------------------------------------------------------------------
    print(f"  fan-out: {FANOUT_RECIPIENTS:,} recipients in {fanout_time['wall']:.2f} s wall, "
          f"{fanout_time['cpu']:.2f} s CPU of which {fanout_time['emulator']:.2f} s in the emulator: "
          f"{fanout_rate:,.0f} recipients per CPU second of ours "
          f"({FANOUT_RECIPIENTS / fanout_time['cpu']:,.0f} gross)")
    print(f"    calls: {dict(sorted((f'{s}.{o}', n) for (s, o), n in fanout_calls.items()))}")
    print(f"  send: {SEND_RECIPIENTS:,} recipients in {len(send_messages)} messages, {RECORDS_PER_INVOCATION} per "
          f"invocation, max_concurrency 50: {send_time['wall']:.2f} s wall, {send_time['cpu']:.2f} s CPU of which "
          f"{send_time['emulator']:.2f} s in the emulator: {send_rate:,.0f} recipients per CPU second of ours "
          f"({SEND_RECIPIENTS / send_time['cpu']:,.0f} gross, {SEND_RECIPIENTS / send_time['wall']:,.0f}/s wall)")
    print(f"    calls: {dict(sorted((f'{s}.{o}', n) for (s, o), n in send_calls.items()))}")
    single_bytes = len(json.dumps(_captured_requests(world)[1]))
    print(f"  bare SES SendEmail (one mail, ~{single_bytes:,} byte request): {bare_rate:,.0f} calls per "
          f"CPU second ({BARE_CALLS / bare_time['cpu']:,.0f} gross); efficiency {send_rate / bare_rate:.2f}")
    print(f"  bare SES SendBulkEmail ({bulk_mails} mails, {len(world.emulator.ses_requests[0]):,} byte request): "
          f"{bare_bulk_rate:,.0f} mails per CPU second; our send is {send_rate / bare_bulk_rate:.2f} of that")
    print(f"  30 ms SES latency: {LATENCY_RECIPIENTS:,} recipients in {latency_time['wall']:.2f} s wall "
          f"({latency_time['cpu']:.2f} s CPU): {latency_rate:,.0f} recipients/s")
    print(f"  AWS cost beyond SES for {MAILS:,} mails (SES itself: ${SES_PER_MAIL * MAILS:.2f}):")
    width = max(len(r[0]) for r in rows)
    for what, quantity, unit, cost, note in rows:
        print(f"    {what.ljust(width)}  {quantity:>12,.0f} {unit.ljust(11)} ${cost:8.4f}  {_pct(cost):5.3f}%  {note}")
    print(f"    {'fan-out and send path'.ljust(width)}  {'':>12} {'':11} ${send_path:8.4f}  {_pct(send_path):5.3f}%")
    print(f"    {'total'.ljust(width)}  {'':>12} {'':11} ${total:8.4f}  {overhead:5.3f}%")
    print("    not costed: on_ses_event's Lambda invocations and DynamoDB writes for the "
          f"{int(SES_EVENTS_PER_MAIL * MAILS):,} SES events (record_ses_event, count_ses_event)")
    return {"send_per_core_per_s": send_rate, "ses_bare_calls_per_s": bare_rate,
            "ses_bare_bulk_mails_per_s": bare_bulk_rate,
            "send_efficiency": send_rate / bare_rate, "send_with_30ms_latency_per_s": latency_rate,
            "fanout_per_core_per_s": fanout_rate, "overhead_pct_of_ses_price": overhead}


if __name__ == "__main__":
    print(json.dumps(main()))
