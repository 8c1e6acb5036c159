"""The unread count and the banners cost one request to the notices table per app page, however
many entries there are (the HEAD and the read mark in one BatchGetItem; no scan)."""

from datetime import timedelta

from tests.integration.news_helpers import page, publish, signed_in, unread_in_navigation


def notices_requests():
    """Every DynamoDB request naming the notices table, from now on: (operation, params)."""
    from chalicelib import aws

    seen = []

    def record(model, params, **_):
        if "mailexpert-notices" in str(params.get("body", "")):
            seen.append((model.name, params))

    aws.dynamodb().meta.events.register("before-call.dynamodb", record)
    return seen


def test_an_app_page_reads_the_notices_table_once_with_many_entries_and_a_banner(
        client, app_module, aws_resources, outbox):
    from chalicelib.composition import services
    from chalicelib.news.items import MaintenanceBanner
    from chalicelib.news.service import now

    # GIVEN Anna, 30 entries and a maintenance banner showing now
    cookie, _ = signed_in(client, app_module, aws_resources, outbox)
    for minute in range(30):
        publish(f"News {minute}", minutes_from_now=minute + 1)
    services().news._news.add_banner(MaintenanceBanner("b1", now() - timedelta(hours=1), now() + timedelta(hours=1),
                                                       {"nl": "Onderhoud", "en": "Maintenance"}))
    requests = notices_requests()
    # WHEN she opens her overview
    body = page(client, "/app", cookie).body.decode()
    # THEN the count and the banner are shown, from a single BatchGetItem
    assert unread_in_navigation(body) == 30
    assert "Maintenance: Maintenance" in body
    assert [operation for operation, _ in requests] == ["BatchGetItem"]
