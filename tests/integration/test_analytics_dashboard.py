"""The staff dashboard of page analytics: charts for staff, a 404 for anyone else."""

import re

from tests.integration.accounts_helpers import log_in, register
from tests.integration.analytics_helpers import send_beacon
from tests.integration.test_staff_pages import make_staff


def test_staff_see_the_charts_of_what_the_beacon_reported(client, app_module, aws_resources, outbox):
    # GIVEN two page views reported with analytics consent, and Anna who is staff
    send_beacon(client, "1.analytics", body={"path": "/pricing", "dwell_ms": 1, "screen": "1920x1080",
                                             "referrer": "www.example.com"})
    send_beacon(client, "1.analytics", body={"path": "/register/check-inbox", "dwell_ms": 1, "screen": "390x844"})
    register(client, app_module, aws_resources, outbox)
    make_staff()
    cookie = log_in(client)
    # WHEN she opens the dashboard
    response = client.get("/staff/analytics", headers={"Cookie": cookie, "Accept-Language": "en"})
    # THEN it shows the charts, drawn on the server, with what was reported
    assert response.status_code == 200
    page = response.body.decode()
    assert page.count("<svg") == 7
    for title in ("Page views per day", "Top pages", "Referrers", "Browsers", "Screen resolutions", "Sign-ups per day"):
        assert title in page
    assert "/pricing: 1" in page and "www.example.com: 1" in page and "390x844: 1" in page
    assert re.search(r"<th>Sign-ups</th><td>1</td>", page)
    # AND it has no inline style and links its own stylesheet
    assert "style=" not in page and "/static/analytics.css" in page
    # AND the staff overview links it
    assert 'href="/staff/analytics"' in client.get("/staff", headers={"Cookie": cookie}).body.decode()


def test_the_dashboard_speaks_dutch(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    make_staff()
    cookie = log_in(client)
    page = client.get("/staff/analytics", headers={"Cookie": cookie, "Accept-Language": "nl"}).body.decode()
    assert "Paginaweergaven per dag" in page and "Schermresoluties" in page


def test_the_dashboard_is_a_404_for_an_account_without_the_staff_flag(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    assert client.get("/staff/analytics", headers={"Cookie": cookie}).status_code == 404


def test_the_dashboard_sends_a_visitor_who_is_not_signed_in_to_log_in(client, app_module):
    response = client.get("/staff/analytics")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
