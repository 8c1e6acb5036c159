"""A day's batches of counts are settled into one total that is kept (no TTL), and a batch that
arrives late is still counted."""

from datetime import datetime, timezone

from tests.integration.analytics_helpers import ANALYTICS_TABLE
from tests.unit.analytics_helpers import report


def service_at(aws_resources, now: float):
    from chalicelib.analytics.repository import DynamoAnalytics
    from chalicelib.analytics.service import AnalyticsService

    store = DynamoAnalytics(aws_resources.client("dynamodb"), ANALYTICS_TABLE, clock=lambda: now)
    return AnalyticsService(store, clock=lambda: now, buffer_events=2)


def record(service, path, ip):
    service.record_page_view(report(path=path), analytics=True, marketing=False, ip=ip, user_agent=None,
                             signed_in_account_id=lambda: None)


def day_items(aws_resources, day):
    items = aws_resources.client("dynamodb").query(
        TableName=ANALYTICS_TABLE, KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"DAY#{day}"}})["Items"]
    return {item["sk"]["S"].split("#")[0]: item for item in items}


def test_a_past_day_is_settled_into_a_kept_total_and_a_late_batch_still_counts(aws_resources):
    # GIVEN four views on 6 December, written in two batches
    sixth = datetime(2026, 12, 6, 12, tzinfo=timezone.utc).timestamp()
    service = service_at(aws_resources, sixth)
    for n, path in enumerate(["/", "/", "/pricing", "/register"]):
        record(service, path, f"10.0.{n}.1")
    # WHEN the next day's first batch is written (by another container)
    seventh = service_at(aws_resources, sixth + 24 * 3600)
    record(seventh, "/", "10.1.0.1")
    record(seventh, "/", "10.1.0.2")
    # THEN 6 December has one total, without TTL, holding all four views
    items = day_items(aws_resources, "2026-12-06")
    total = items["TOTAL"]
    assert "expires_at" not in total
    assert total["counts"]["M"]["views"]["N"] == "4" and total["counts"]["M"]["path#/"]["N"] == "2"
    # AND a batch of 6 December that arrives late is added when the day is read again
    late = service_at(aws_resources, sixth + 3600)
    record(late, "/pricing", "10.2.0.1")
    record(late, "/pricing", "10.2.0.2")
    dashboard = service_at(aws_resources, sixth + 24 * 3600).dashboard(days=2)
    assert [day.views for day in dashboard.days] == [6, 2]
    from chalicelib.analytics.repository import DynamoAnalytics

    settled = DynamoAnalytics(aws_resources.client("dynamodb"), ANALYTICS_TABLE)
    assert day_items(aws_resources, "2026-12-06")["TOTAL"]["counts"]["M"]["views"]["N"] == "6"
    assert settled.counters("2026-12-06")["path#/pricing"] == 3
