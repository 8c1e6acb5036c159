"""The overview (/app): next steps for a new account, checked off as they are done; the last
campaign's results with open and click rates as percentages; the audience's growth per day from
daily counters kept as contacts come and go (campaigns/dashboard.py, audience GROWTH items)."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib import i18n
from chalicelib.formatting import format_date

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list, import_file
from tests.integration.review_helpers import send_through_review
from tests.integration.test_campaign_flow import _add, _campaign_with_template, send_campaign_batches
from tests.integration.test_data_rights import run_background_jobs


def _overview(client, cookie, query="") -> str:
    response = client.get(f"/app{query}", headers={"Cookie": cookie})
    assert response.status_code == 200, response.body
    return html.unescape(response.body.decode())


def _step(page: str, key: str) -> str:
    return re.search(rf'<li class="step-card[^"]*" id="step-{key}">.*?</li>', page, re.S).group(0)


def test_next_steps_are_checked_off_as_a_new_account_takes_them(client, app_module, aws_resources, outbox):
    # GIVEN a new account with a confirmed address and an empty list
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    page = _overview(client, cookie)
    # THEN the overview shows the next steps, only the address checked off
    assert "step-done" in _step(page, "verify-email") and "Gedaan" in _step(page, "verify-email")
    for key in ("sending-domain", "import-contacts", "template", "first-campaign"):
        assert "step-done" not in _step(page, key), key
    assert 'href="/domains"' in _step(page, "sending-domain")
    # WHEN a contact is added and a template made
    _add(client, cookie, csrf, list_id, "klant@example.com", "Klant")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    page = _overview(client, cookie)
    # THEN those are checked off, the first campaign still to do
    assert "step-done" in _step(page, "import-contacts") and "step-done" in _step(page, "template")
    assert "step-done" not in _step(page, "first-campaign")
    assert "Er is nog geen campagne verstuurd." in page
    # WHEN the first campaign goes out THEN that is checked off too
    send_through_review(client, cookie, csrf, campaign_id)
    assert "step-done" in _step(_overview(client, cookie), "first-campaign")


def test_last_campaign_shows_its_results_with_rates_as_percentages(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for number in range(4):
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    send_through_review(client, cookie, csrf, campaign_id)
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    mails = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    assert len(mails) == 4
    # GIVEN two people opened it, one of them clicked twice, and one unsubscribed through it
    for mail in mails[:2]:
        client.get(re.search(r'src="http://127\.0\.0\.1:8000(/t/o/[^"]+)"', mail["html"]).group(1))
    click = re.search(r'href="http://127\.0\.0\.1:8000(/t/c/[^"]+)"', mails[0]["html"]).group(1)
    client.get(click)
    client.get(click)
    unsubscribe = mails[3]["headers"]["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    client.post(unsubscribe, headers={"Content-Type": "application/x-www-form-urlencoded"},
                body=b"List-Unsubscribe=One-Click")
    # WHEN the holder opens the overview, in Dutch and in English
    dutch, english = _overview(client, cookie), _overview(client, cookie, "?lang=en")
    # THEN it shows the campaign's numbers, open and click rates of the delivered mails as percentages
    assert '<a href="/campaigns/' + campaign_id + '" id="last-campaign-name">Maart</a>' in dutch
    assert '<dd id="last-sent">4</dd>' in dutch and '<dd id="last-delivered">4</dd>' in dutch
    assert '<dd id="last-open-rate">50,0%</dd>' in dutch and '<dd id="last-click-rate">25,0%</dd>' in dutch
    assert '<dd id="last-open-rate">50.0%</dd>' in english
    assert '<dd id="last-bounced">0</dd>' in dutch and '<dd id="last-unsubscribed">1</dd>' in dutch


def test_audience_growth_counts_contacts_added_and_leaving_per_day(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # GIVEN three contacts added by hand and two imported today, and one of them suppressed since
    for number in range(3):
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
    import_file(client, app_module, aws_resources, cookie, csrf, list_id,
                b"email,first_name\nimport1@example.com,Een\nimport2@example.com,Twee\n")
    post_form(client, "/suppression", {"csrf_token": csrf, "emails": "klant0@example.com"}, cookie=cookie)
    # WHEN the holder opens the overview
    page = _overview(client, cookie)
    # THEN the chart has a bar for today up (5) and one down (1), and the period's totals
    with i18n.use_language("nl"):
        today = format_date(datetime.now(ZoneInfo("Europe/Amsterdam")).date())  # as the Dutch page writes it
    assert f"<title>{today}: +5</title>" in page and f"<title>{today}: -1</title>" in page
    assert "5 nieuwe contacten, 1 vertrokken: +4" in page
    assert len(re.findall(r'<rect class="growth-added"', page)) == 1
    # AND the holder can look back 90 days instead of 30
    assert '<strong aria-current="page">Laatste 30 dagen</strong>' in page and 'href="/app?days=90"' in page
    assert '<strong aria-current="page">Laatste 90 dagen</strong>' in _overview(client, cookie, "?days=90")
    # AND the chart read one small counter item per day, not the contacts
    items = aws_resources.client("dynamodb").scan(TableName="mailexpert-audience")["Items"]
    growth = [i for i in items if i["sk"]["S"].startswith("GROWTH#")]
    assert len(growth) == 1 and growth[0]["added"]["N"] == "5" and growth[0]["unsubscribed"]["N"] == "1"


def test_unknown_growth_period_falls_back_to_thirty_days(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for query in ("?days=7", "?days=abc", "?days=99999999999999999999"):
        assert '<strong aria-current="page">Laatste 30 dagen</strong>' in _overview(client, cookie, query)
