"""The staff partner-statistics page names each export with a translated title; the raw export name
stays only in the download addresses (and so in the file names)."""

from tests.integration.test_partner_statistics_pages import staff_cookie  # noqa: F401  (fixture)


def test_exports_are_titled_in_dutch_and_keep_their_names_in_the_downloads(client, staff_cookie):  # noqa: F811
    # WHEN staff read the partner statistics page in Dutch
    page = client.get("/staff/partner-statistics", headers={"Cookie": staff_cookie, "Accept-Language": "nl"})
    body = page.body.decode()
    # THEN each export has a Dutch title, and no raw export name is shown as text
    assert page.status_code == 200
    for title in ("Accounts per pakket", "Accounts per regio", "Mailings per maand", "Cijfers per pakket"):
        assert f"<td>{title}</td>" in body, title
    for export in ("accounts-by-plan", "accounts-by-region", "mailings-by-month", "rates-by-plan"):
        assert f"<td>{export}</td>" not in body
        # AND the downloads still use the export's name
        assert f'href="/staff/partner-statistics/{export}/csv"' in body
