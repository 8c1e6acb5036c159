"""A campaign that starts is a first-campaign conversion on the staff dashboard, for an account whose
page views were linked with its marketing consent only; the mark is erased with the account (P9, P13)."""

import json

from tests.integration.accounts_helpers import log_in, register
from tests.integration.analytics_helpers import ANALYTICS_TABLE, counters, send_beacon


def test_a_started_campaign_counts_once_for_an_account_that_allowed_marketing(client, app_module, aws_resources,
                                                                              outbox):
    from chalicelib.composition import services

    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    account_id = services().accounts.by_email("anna@example.nl").account_id
    # GIVEN Anna browsed with marketing cookies allowed
    send_beacon(client, "1.analytics.marketing", cookie=cookie, body={"path": "/campaigns", "dwell_ms": 10,
                                                                      "screen": "1440x900"})
    # WHEN her campaigns start (the campaigns service announces each start)
    services().campaign_service.started(account_id, "campaign-1")
    services().campaign_service.started(account_id, "campaign-2")
    # AND a campaign of an account that never allowed marketing starts
    services().campaign_service.started("someone-else", "campaign-3")
    # THEN one first campaign is counted, and the dashboard shows it
    assert counters(aws_resources)["conversion#first_campaign"] == 1
    assert services().analytics.dashboard().first_campaigns == 1
    # AND when Anna's account is erased, nothing names her account any more
    services().analytics_store.forget_account(account_id)
    items = aws_resources.client("dynamodb").scan(TableName=ANALYTICS_TABLE)["Items"]
    assert account_id not in json.dumps(items)
