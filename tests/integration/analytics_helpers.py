"""Beacon requests as the browser's script sends them, and what the analytics table then holds."""

import json

ANALYTICS_TABLE = "mailexpert-analytics"
REPORT = {"path": "/pricing", "dwell_ms": 3200, "referrer": "www.example.com", "screen": "1920x1080"}
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def send_beacon(client, consent: str | None, body=None, cookie: str | None = None, content_type="text/plain;charset=UTF-8"):
    cookies = [c for c in (f"mx_consent={consent}" if consent else None, cookie) if c]
    headers = {"Content-Type": content_type, "User-Agent": FIREFOX, "Origin": "http://localhost",
               "Host": "localhost", "Sec-Fetch-Site": "same-origin"}
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    return client.post("/t/p", headers=headers, body=json.dumps(REPORT if body is None else body)
                       if not isinstance(body, (bytes, str)) else body)


def raw_views(aws_resources) -> list[dict]:
    items = aws_resources.client("dynamodb").scan(TableName=ANALYTICS_TABLE)["Items"]
    return [item for item in items if item["pk"]["S"].startswith("VIEW#")]


def counters(aws_resources) -> dict[str, int]:
    """Every day's counts, summed over its batches and totals."""
    from collections import Counter

    items = aws_resources.client("dynamodb").scan(TableName=ANALYTICS_TABLE)["Items"]
    found = Counter()
    for item in items:
        if item["pk"]["S"].startswith("DAY#"):
            found.update({key: int(value["N"]) for key, value in item["counts"]["M"].items()})
    return dict(found)
