"""POST /t/p: the consent cookie is checked again on the server; with analytics consent the view is
stored (address truncated, TTL set, counters grown); bad input is a clear 400; it never sets a cookie."""

import json
import time

from tests.integration.accounts_helpers import log_in, register
from tests.integration.analytics_helpers import ANALYTICS_TABLE, counters, raw_views, send_beacon


def test_with_analytics_consent_a_page_view_is_stored_with_a_truncated_address_and_a_ttl(client, aws_resources):
    # GIVEN a visitor who allowed analytics
    # WHEN the beacon reports a page view
    response = send_beacon(client, "1.analytics")
    # THEN it is accepted without a body and without a cookie
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers and "set-cookie" not in response.headers
    # AND one raw event is stored: truncated address, families of the user agent, 13 months to live
    [item] = raw_views(aws_resources)
    assert item["ip"]["S"] == "127.0.0.0"
    assert (item["path"]["S"], item["referrer"]["S"], item["screen"]["S"]) == ("/pricing", "www.example.com",
                                                                               "1920x1080")
    assert (item["browser"]["S"], item["os"]["S"], item["dwell_ms"]["N"]) == ("Firefox", "Linux", "3200")
    assert "account_id" not in item
    days = (int(item["expires_at"]["N"]) - time.time()) / 86400
    assert 390 < days < 400
    from devstack.infra import load_template

    [table] = [r["Properties"] for r in load_template()["Resources"].values()
               if r.get("Properties", {}).get("TableName") == ANALYTICS_TABLE]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    # AND the day's counters count it
    found = counters(aws_resources)
    assert found["views"] == 1 and found["path#/pricing"] == 1 and found["screen#1920x1080"] == 1


def test_without_analytics_consent_nothing_is_stored(client, aws_resources):
    for consent in (None, "1.essential", "2.analytics", "garbage"):
        response = send_beacon(client, consent)
        assert response.status_code == 204
    assert aws_resources.client("dynamodb").scan(TableName=ANALYTICS_TABLE)["Items"] == []


def test_without_consent_even_a_bad_report_is_not_read(client, aws_resources):
    assert send_beacon(client, "1.essential", body=b"{not json").status_code == 204


def test_a_bad_report_is_a_400_with_a_message_saying_what_is_wrong(client, aws_resources):
    response = send_beacon(client, "1.analytics", body={**{"path": "/x", "dwell_ms": 1}, "screen": "huge"})
    assert response.status_code == 400
    problem = json.loads(response.body)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "1920x1080" in problem["detail"]
    assert send_beacon(client, "1.analytics", body=b"{not json").status_code == 400
    assert aws_resources.client("dynamodb").scan(TableName=ANALYTICS_TABLE)["Items"] == []


def test_json_content_type_is_accepted_as_fetch_sends_it(client, aws_resources):
    assert send_beacon(client, "1.analytics", content_type="application/json").status_code == 204
    assert len(raw_views(aws_resources)) == 1


def test_a_signed_in_visitors_view_is_linked_to_the_account_only_with_marketing_consent(
        client, app_module, aws_resources, outbox):
    # GIVEN Anna, signed in
    register(client, app_module, aws_resources, outbox)
    session = log_in(client)
    from chalicelib.composition import services

    account_id = services().accounts.by_email("anna@example.nl").account_id
    # WHEN she browses with analytics only, then with analytics and marketing
    send_beacon(client, "1.analytics", cookie=session, body={"path": "/app", "dwell_ms": 1, "screen": "800x600"})
    send_beacon(client, "1.analytics.marketing", cookie=session,
                body={"path": "/campaigns", "dwell_ms": 1, "screen": "800x600"})
    # THEN only the second view carries her account
    linked = {item["path"]["S"]: item.get("account_id", {}).get("S") for item in raw_views(aws_resources)}
    assert linked == {"/app": None, "/campaigns": account_id}


def test_too_many_views_from_one_network_are_refused_with_429_and_not_stored(client, aws_resources):
    from chalicelib.analytics.service import PER_ADDRESS_PER_MINUTE

    # (twice the limit and more: even if a minute begins during the test, some are refused)
    answers = [send_beacon(client, "1.analytics").status_code for _ in range(2 * PER_ADDRESS_PER_MINUTE + 3)]
    assert set(answers) == {204, 429} and answers.count(204) <= 2 * PER_ADDRESS_PER_MINUTE
    assert len(raw_views(aws_resources)) == answers.count(204)


def test_a_page_of_this_site_is_not_counted_as_a_referrer(client, aws_resources):
    send_beacon(client, "1.analytics", body={"path": "/x", "dwell_ms": 1, "screen": "800x600", "referrer": "localhost"})
    [item] = raw_views(aws_resources)
    assert "referrer" not in item
