"""POST /consent (P9): the banner's form sets the consent cookies, records the choice with a shortened
IP address, and sends the browser back to a page of this site, never elsewhere."""

import json
import time

import pytest

from tests.integration.consent_helpers import (attributes, choose, cookie_header, cookie_value_of, from_ip,
                                               records_of)

SIX_MONTHS_S = 182 * 24 * 3600


def test_accept_all_sets_consent_cookie_with_its_attributes_when_posted(client, aws_resources):
    # WHEN a visitor clicks "accept all" on the banner of the contact page
    response = choose(client, {"choice": "all", "next": "/contact"})
    # THEN the browser goes back to that page
    assert response.status_code == 303 and response.headers["Location"] == "/contact"
    # AND the choice is in mx_consent: Secure, SameSite=Lax, Path=/, six months, readable by scripts
    consent = cookie_header(response, "mx_consent")
    assert consent.split(";")[0] == "mx_consent=1.analytics.marketing"
    flags = attributes(consent)
    assert {"secure", "path", "samesite", "max-age"} <= flags.keys() and "httponly" not in flags
    assert flags["path"] == "/" and flags["samesite"].lower() == "lax" and int(flags["max-age"]) == SIX_MONTHS_S
    # AND the consent id goes in a __Host- cookie no script can read, for as long
    id_cookie = cookie_header(response, "__Host-consent-id")
    id_flags = attributes(id_cookie)
    assert {"secure", "httponly", "samesite", "max-age"} <= id_flags.keys() and id_flags["path"] == "/"
    assert "domain" not in id_flags and int(id_flags["max-age"]) == SIX_MONTHS_S
    assert len(cookie_value_of(response, "__Host-consent-id")) == 22


@pytest.mark.parametrize("fields, value", [
    ({"choice": "essential"}, "1.essential"),
    ({"choice": "essential", "analytics": "on", "marketing": "on"}, "1.essential"),  # the button decides
    ({"choice": "custom"}, "1.essential"),
    ({"choice": "custom", "analytics": "on"}, "1.analytics"),
    ({"choice": "custom", "marketing": "on"}, "1.marketing"),
    ({"choice": "custom", "analytics": "on", "marketing": "on"}, "1.analytics.marketing"),
])
def test_each_choice_sets_its_cookie_value_when_posted(client, aws_resources, fields, value):
    # WHEN a choice is posted
    response = choose(client, {**fields, "next": "/"})
    # THEN the cookie holds exactly that choice
    assert response.status_code == 303
    assert cookie_value_of(response, "mx_consent") == value


def test_choice_is_recorded_with_truncated_ipv4_when_posted(client, aws_resources, monkeypatch):
    # GIVEN a visitor at 203.0.113.77
    from_ip(monkeypatch, "203.0.113.77")
    before = int(time.time())
    # WHEN they allow analytics only
    response = choose(client, {"choice": "custom", "analytics": "on", "next": "/"})
    # THEN one record holds the time, the choice, the banner version and the IP shortened to its /24
    consent_id = cookie_value_of(response, "__Host-consent-id")
    [record] = records_of(aws_resources, consent_id)
    assert record["choice"] == "1.analytics" and record["analytics"] is True and record["marketing"] is False
    assert record["banner_version"] == 1 and record["kind"] == "given" and record["consent_id"] == consent_id
    assert record["ip_prefix"] == "203.0.113.0"
    assert before - 5 <= _epoch(record["recorded_at"]) <= int(time.time()) + 5
    # AND nothing else about the visitor: no full address, no user agent, no account
    assert set(record) == {"pk", "sk", "consent_id", "recorded_at", "choice", "analytics", "marketing",
                           "banner_version", "kind", "ip_prefix", "expires_at"}
    assert "203.0.113.77" not in json.dumps(record, default=str)
    # AND DynamoDB's TTL removes it after two years
    assert int(record["expires_at"]) - _epoch(record["recorded_at"]) == 730 * 24 * 3600


def test_choice_is_recorded_with_truncated_ipv6_when_posted(client, aws_resources, monkeypatch):
    # GIVEN a visitor at an IPv6 address
    from_ip(monkeypatch, "2001:db8:abcd:12:34::5")
    # WHEN they refuse everything but essential cookies
    response = choose(client, {"choice": "essential", "next": "/"})
    # THEN the record keeps the address's /48 only
    [record] = records_of(aws_resources, cookie_value_of(response, "__Host-consent-id"))
    assert record["ip_prefix"] == "2001:db8:abcd::" and record["choice"] == "1.essential"


def test_change_and_withdrawal_are_recorded_under_the_same_consent_id_when_posted_again(client, aws_resources):
    # GIVEN a visitor who accepted all
    first = choose(client, {"choice": "all", "next": "/"})
    consent_id = cookie_value_of(first, "__Host-consent-id")
    cookies = f"mx_consent=1.analytics.marketing; __Host-consent-id={consent_id}"
    # WHEN they withdraw marketing, and later allow it again
    withdrawn = choose(client, {"choice": "custom", "analytics": "on", "next": "/cookies?saved=1"}, cookie=cookies)
    again = choose(client, {"choice": "all", "next": "/"}, cookie=f"mx_consent=1.analytics; __Host-consent-id={consent_id}")
    # THEN each is a record of its own under the same id, with what it was
    assert cookie_value_of(withdrawn, "__Host-consent-id") == consent_id == cookie_value_of(again, "__Host-consent-id")
    records = records_of(aws_resources, consent_id)
    assert [(r["kind"], r["choice"]) for r in sorted(records, key=lambda r: r["recorded_at"])] == [
        ("given", "1.analytics.marketing"), ("withdrawn", "1.analytics"), ("changed", "1.analytics.marketing")]
    assert withdrawn.headers["Location"] == "/cookies?saved=1"


def test_made_up_consent_id_is_replaced_when_posted(client, aws_resources):
    # GIVEN a browser whose consent-id cookie is not one we made
    made_up = "x" * 300
    # WHEN it posts a choice
    response = choose(client, {"choice": "essential", "next": "/"}, cookie=f"__Host-consent-id={made_up}")
    # THEN the choice is recorded under a new random id, not under the made-up one
    consent_id = cookie_value_of(response, "__Host-consent-id")
    assert consent_id != made_up and len(consent_id) == 22
    assert records_of(aws_resources, made_up) == [] and len(records_of(aws_resources, consent_id)) == 1


@pytest.mark.parametrize("next_path", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "evil.example", "", "/" + "a" * 3000,
])
def test_redirect_stays_on_this_site_when_next_points_elsewhere(client, aws_resources, next_path):
    # WHEN a choice is posted with a "next" that is not a path of this site
    response = choose(client, {"choice": "essential", "next": next_path})
    # THEN the browser goes to the home page, never elsewhere
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_redirect_keeps_path_and_query_when_next_is_a_page_of_this_site(client, aws_resources):
    response = choose(client, {"choice": "essential", "next": "/lists/abc/imports?page=2&lang=en"})
    assert response.headers["Location"] == "/lists/abc/imports?page=2&lang=en"


@pytest.mark.parametrize("fields", [
    {}, {"choice": "yes-please"}, {"choice": "custom", "analytics": "maybe"}, {"choice": "all", "marketing": "x"},
])
def test_bad_choice_is_refused_and_nothing_stored_when_posted(client, aws_resources, fields):
    # WHEN a form without a valid choice is posted
    response = choose(client, {**fields, "next": "/"})
    # THEN the cookie settings page comes back with a 422 and a message beside the choice
    assert response.status_code == 422
    body = response.body.decode()
    assert 'class="error"' in body and 'action="/consent"' in body
    # AND no cookie is set and nothing is recorded
    assert cookie_header(response, "mx_consent") is None and cookie_header(response, "__Host-consent-id") is None
    table = aws_resources.resource("dynamodb").Table("mailexpert-notices")
    assert [i for i in table.scan()["Items"] if i["pk"].startswith("CONSENT#")] == []


def test_body_that_is_not_a_form_is_refused_when_posted(client, aws_resources):
    response = client.post("/consent", headers={"Content-Type": "application/json"}, body=b'{"choice": "all"}')
    assert 400 <= response.status_code < 500


def test_choice_from_another_site_is_refused_when_posted(client, aws_resources):
    # WHEN another site's page posts a choice in the visitor's name
    response = choose(client, {"choice": "all", "next": "/"}, headers={"Origin": "https://evil.example",
                                                                        "Sec-Fetch-Site": "cross-site"})
    # THEN it is refused, and no cookie is set
    assert response.status_code == 403 and cookie_header(response, "mx_consent") is None


def test_script_gets_json_instead_of_a_redirect_when_it_asks_for_json(client, aws_resources):
    # WHEN the banner's script posts the choice and asks for JSON
    response = choose(client, {"choice": "custom", "analytics": "on", "next": "/"}, headers={"Accept": "application/json"})
    # THEN it gets the choice back, and the same cookies
    assert response.status_code == 200
    assert json.loads(response.body) == {"consent": "1.analytics", "analytics": True, "marketing": False}
    assert cookie_value_of(response, "mx_consent") == "1.analytics"
    assert cookie_header(response, "__Host-consent-id") is not None


def _epoch(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp())
