"""The analytics beacon's speed and DynamoDB cost, against in-process AWS emulation: one run, two figures.

What runs is our real code from the request on: `answer_beacon` (the consent cookie, the report's
JSON read and checked), `AnalyticsService.record_page_view` (address truncation, the rate limit,
browser and OS families from `ua-parser`, the container's buffer) and `DynamoAnalytics` (one
BatchWriteItem of a batch's raw events and its counts item) through a real botocore client,
answered at `before-send` by `AwsEmulator` (bench/aws_emulation.py), which counts write units from
the item sizes. Not run: API Gateway, Lambda's own invocation, the HTTP middleware (the same for
every route).

Traffic: EVENTS page views of a marketing site and the app, with paths, referrers, screens and
user agents drawn from small realistic sets (pages and browsers repeat; the parser's cache is part
of what is measured), from as many /24 networks as a day's visitors come from, on a clock that
advances 0.2 s per view (300 views a minute: under the per-container limit, so every view is stored).
`beacon_events_per_s` is views accepted and stored per CPU second of the process, minus the CPU
time spent inside the emulator (which stands in for the network and DynamoDB).

Run by `make bench` (bench/run.py) in a subprocess of its own; prints a breakdown and one JSON line last.
"""

import json
import os
import random
import sys
import time
from types import SimpleNamespace

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(PROJECT_DIR, "bench")
for _path in (PROJECT_DIR, BENCH_DIR):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from aws_emulation import ENDPOINT, REGION, AwsEmulator, EmulatedClients  # noqa: E402
from sizes import size  # noqa: E402

TABLE = "mailexpert-analytics"
EVENTS = int(os.environ.get("BEACON_EVENTS", size(20_000, smoke=100)))  # smoke: a few full buffers (24 views)
WARM_UP = size(500, smoke=30)
SECONDS_PER_VIEW = 0.2
NETWORKS = 4_000
PAGE_VIEWS = 1_000_000

# AWS list prices (eu-west-1, on demand; USD), as in bench/send_bench.py
DDB_PER_WRU = 0.7068 / 1e6
DDB_STORAGE_PER_GB_MONTH = 0.283
RETENTION_MONTHS = 13

PATHS = ["/", "/pricing", "/register", "/login", "/app", "/campaigns", "/campaigns/new", "/lists", "/contacts",
         "/templates", "/testimonials", "/contact", "/privacy", "/register/check-inbox", "/settings", "/news",
         "/images", "/domains", "/fields", "/suppression"] + [f"/campaigns/{n:032x}/report" for n in range(20)]
REFERRERS = ["", "", "", "", "www.google.com", "www.google.nl", "www.bing.com", "duckduckgo.com",
             "www.linkedin.com", "t.co", "news.example.com", "forum.example.nl"]
SCREENS = ["1920x1080", "1536x864", "1366x768", "2560x1440", "1440x900", "390x844", "393x873", "412x915",
           "360x800", "414x896", "768x1024", "1280x720"]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0",
]


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


def _requests(count: int, rng: random.Random) -> list:
    """Beacon requests as API Gateway hands them to the app (headers, body, source address)."""
    made = []
    for _ in range(count):
        body = json.dumps({"path": rng.choice(PATHS), "dwell_ms": rng.randrange(200, 600_000),
                           "referrer": rng.choice(REFERRERS), "screen": rng.choice(SCREENS)}).encode()
        user_agent = rng.choice(USER_AGENTS).format(v=rng.randrange(128, 134))
        consent = "1.analytics.marketing" if rng.random() < 0.3 else "1.analytics"
        made.append(SimpleNamespace(
            raw_body=body, headers={"cookie": f"lang=nl; mx_consent={consent}", "user-agent": user_agent},
            context={"identity": {"sourceIp": f"{rng.randrange(1, 223)}.{rng.randrange(256)}."
                                              f"{rng.randrange(NETWORKS) % 256}.{rng.randrange(1, 255)}"}}))
    return made


def main() -> dict:
    from chalicelib.analytics.beacon import answer_beacon
    from chalicelib.analytics.repository import DynamoAnalytics
    from chalicelib.analytics.service import AnalyticsService

    emulator = AwsEmulator()
    emulator.virtual_query[(TABLE, None)] = lambda request: ([], None)  # settling yesterday: nothing to settle
    clients = EmulatedClients(emulator, REGION, ENDPOINT)
    clock = Clock()
    service = AnalyticsService(DynamoAnalytics(clients.dynamodb(), TABLE), clock=clock)
    nobody = SimpleNamespace(signed_in=lambda session_id: None)  # no session cookie: never signed in
    services = SimpleNamespace(analytics=service, account_service=nobody)
    rng = random.Random(7)
    requests = _requests(WARM_UP + EVENTS, rng)

    for request in requests[:WARM_UP]:  # loads the parser's rules and botocore's models
        clock.now += SECONDS_PER_VIEW
        answer_beacon(request, services)
    service.flush()
    emulator.reset_counts()
    emulator.tables.clear()

    cpu_started, wall_started = time.process_time(), time.perf_counter()
    statuses = []
    for request in requests[WARM_UP:]:
        clock.now += SECONDS_PER_VIEW
        statuses.append(answer_beacon(request, services).status_code)
    service.flush()
    cpu = time.process_time() - cpu_started
    wall = time.perf_counter() - wall_started
    ours = cpu - emulator.cpu_inside
    stored = sum(1 for key in emulator.tables[TABLE] if key[0].startswith("VIEW#"))
    assert statuses.count(204) == EVENTS == stored, (statuses.count(204), stored)
    rate = stored / ours

    wru = sum(emulator.wru.values())
    wru_per_view = wru / stored
    raw_bytes = sum(len(json.dumps(item)) for key, item in emulator.tables[TABLE].items() if key[0].startswith("VIEW#"))
    write_cost = wru_per_view * PAGE_VIEWS * DDB_PER_WRU
    # raw events of a million views a month, each kept 13 months: 13 months' worth stored at any time
    stored_gb = raw_bytes / stored * PAGE_VIEWS * RETENTION_MONTHS / 1e9
    print(f"  beacon: {stored:,} page views stored in {wall:.2f} s wall, {cpu:.2f} s CPU of which "
          f"{emulator.cpu_inside:.2f} s in the emulator: {rate:,.0f} views per CPU second of ours "
          f"({stored / cpu:,.0f} gross)")
    print(f"    calls: {dict(sorted((f'{s}.{o}', n) for (s, o), n in emulator.calls.items()))}")
    print(f"    write units: {dict(emulator.wru)}: {wru_per_view:.2f} WRU per page view "
          f"(1 for the raw event, {wru_per_view - 1:.2f} for its share of the batch's counts item)")
    print(f"  DynamoDB cost per {PAGE_VIEWS:,} page views (eu-west-1 on demand, ${DDB_PER_WRU * 1e6:.4f} per million WRU):")
    print(f"    writes    {wru_per_view * PAGE_VIEWS:>12,.0f} WRU   ${write_cost:8.4f}")
    print(f"    storage   {stored_gb:>12.3f} GB    ${stored_gb * DDB_STORAGE_PER_GB_MONTH:8.4f} a month, at a million "
          f"views a month kept {RETENTION_MONTHS} months (~{raw_bytes / stored:.0f} bytes a raw event)")
    return {"beacon_events_per_s": rate, "beacon_wru_per_view": wru_per_view,
            "beacon_ddb_cost_per_million_views_usd": write_cost}


if __name__ == "__main__":
    print(json.dumps(main()))
