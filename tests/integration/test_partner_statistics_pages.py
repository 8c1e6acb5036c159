"""P12 through the app: staff open Partner statistics from the staff area and download each export as
CSV or JSON, with the same figures, recorded in the audit log; to anyone else the pages do not exist."""

import csv
import io
import json

import pytest

from tests.fakes.accounts import an_account
from tests.integration.accounts_helpers import REGISTRATION, log_in, register
from tests.integration.test_staff_pages import make_staff

PAGES = ["/staff/partner-statistics", "/staff/partner-statistics/accounts-by-plan/csv",
         "/staff/partner-statistics/rates-by-plan/json"]


def customers(count=11):
    """GIVEN `count` active customers in the Netherlands on the free plan, stored as registration would."""
    from chalicelib.composition import services

    for number in range(count):
        services().accounts.create(an_account(f"cust-{number:02d}", f"klant{number}@example.nl"))


@pytest.fixture
def staff_cookie(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    make_staff()
    return log_in(client)


@pytest.mark.parametrize("path", PAGES)
def test_partner_statistics_are_a_404_for_an_account_without_the_staff_flag(client, app_module, aws_resources,
                                                                             outbox, path):
    # GIVEN Anna, signed in, who is not staff
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    # WHEN she opens a partner statistics page or download THEN it does not exist for her
    assert client.get(path, headers={"Cookie": cookie}).status_code == 404


def test_staff_find_the_exports_from_the_staff_area(client, staff_cookie):
    # WHEN staff open the staff area THEN it links to partner statistics
    overview = client.get("/staff", headers={"Cookie": staff_cookie, "Accept-Language": "en"}).body.decode()
    assert 'href="/staff/partner-statistics"' in overview
    # AND that page offers every export as CSV and JSON, and says what it never holds
    page = client.get("/staff/partner-statistics", headers={"Cookie": staff_cookie, "Accept-Language": "en"})
    body = page.body.decode()
    assert page.status_code == 200
    for export in ("accounts-by-plan", "accounts-by-region", "mailings-by-month", "rates-by-plan"):
        for fmt in ("csv", "json"):
            assert f'href="/staff/partner-statistics/{export}/{fmt}"' in body
    assert "never hold personal data" in body and "at least 10 accounts" in body


def test_staff_download_csv_and_json_with_the_same_figures_each_audited(client, staff_cookie):
    from chalicelib.composition import services

    customers()
    # WHEN staff download the accounts per region as CSV and as JSON
    as_csv = client.get("/staff/partner-statistics/accounts-by-region/csv", headers={"Cookie": staff_cookie})
    as_json = client.get("/staff/partner-statistics/accounts-by-region/json", headers={"Cookie": staff_cookie})
    # THEN both are attachments of the right type
    assert as_csv.status_code == as_json.status_code == 200
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert as_json.headers["Content-Type"] == "application/json; charset=utf-8"
    assert as_csv.headers["Content-Disposition"].startswith('attachment; filename="mailexpert-accounts-by-region-')
    assert as_csv.headers["Cache-Control"] == "no-store"
    # AND they count the eleven customers, not the staff member, with the same figures
    rows = list(csv.DictReader(io.StringIO(as_csv.body.decode())))
    document = json.loads(as_json.body)
    assert rows == [{"region": "NL", "accounts": "11"}]
    assert document["rows"] == [{"region": "NL", "accounts": 11}] and document["k_anonymity"] == 10
    # AND the audit log has both downloads, newest first, under the staff member
    staff = services().accounts.by_email(REGISTRATION["email"])
    exported = [e for e in services().audit_log.entries(staff.account_id)
                if e["event"] == "staff.partner_statistics_exported"]
    assert [e["details"] for e in exported] == [{"export": "accounts-by-region", "format": "json", "rows": 1},
                                                {"export": "accounts-by-region", "format": "csv", "rows": 1}]
    assert all(e["at"] for e in exported)


def test_small_population_gives_a_file_without_rows(client, staff_cookie):
    # GIVEN nine customers: fewer than k
    customers(9)
    # WHEN staff download the accounts per plan THEN the file has its header and no row
    response = client.get("/staff/partner-statistics/accounts-by-plan/csv", headers={"Cookie": staff_cookie})
    assert response.status_code == 200
    assert response.body.decode() == "plan,accounts\r\n"


@pytest.mark.parametrize("path", ["/staff/partner-statistics/contacts/csv",
                                  "/staff/partner-statistics/accounts-by-plan/xlsx"])
def test_unknown_export_or_format_is_a_404_for_staff_too(client, staff_cookie, path):
    assert client.get(path, headers={"Cookie": staff_cookie}).status_code == 404
