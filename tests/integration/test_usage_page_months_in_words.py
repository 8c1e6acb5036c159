"""The Usage page says its months in words in the reader's language ("december 2026"), as every
other page formats dates, and never as "2026-12" or with "(UTC)" wording."""

import re
from datetime import datetime, timezone

from tests.integration.audience_helpers import account_with_list

DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december")


def test_usage_page_names_its_months_in_dutch_words(client, app_module, aws_resources, outbox):
    # GIVEN an account holder who reads Dutch
    cookie, _, _ = account_with_list(client, app_module, aws_resources, outbox)
    now = datetime.now(timezone.utc)
    # WHEN they open the Usage page
    page = client.get("/usage?lang=nl", headers={"Cookie": cookie})
    main = page.body.decode().split("<main", 1)[1]
    # THEN this month is named in words, and no month as digits or with "(UTC)" is shown
    assert page.status_code == 200
    assert f"{DUTCH_MONTHS[now.month - 1]} {now.year}" in main
    assert "(UTC)" not in main
    assert not re.search(r"\b\d{4}-\d{2}\b", main), re.findall(r".{40}\b\d{4}-\d{2}\b.{20}", main)
