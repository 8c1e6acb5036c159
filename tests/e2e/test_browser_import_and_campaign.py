"""A CSV import and a campaign in a real browser (Debian's Chromium through Playwright) against the
whole local stack: the file goes from the browser straight to S3 by the presigned form (the page's
policy allows exactly that), S3 sends the browser back to the mapping step, the import runs in the
background while the page follows it, and a campaign made from a template reaches the imported
contacts, its page following the send until it is done."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser_audience import _console_problems, _log_in, _registered_account

pytestmark = pytest.mark.e2e

LIST_ID = re.compile(r"/lists/([0-9a-f]+)$")
CAMPAIGN_PAGE = re.compile(r"/campaigns/([0-9a-f]+)")
CSV = ("E-mailadres;Voornaam;Achternaam\n"
       "sanne@example.com;Sanne;de Vries\n"
       "daan@example.com;Daan;Bakker\n"
       "geen-adres;X;Y\n")



def test_import_then_campaign_in_the_browser(local_stack, english_page, tmp_path):
    page, base = english_page, local_stack.base_url
    problems = _console_problems(page)
    email = _registered_account(local_stack)
    _log_in(page, base, email, english=True)
    # GIVEN a list
    page.goto(base + "/lists")
    page.get_by_label("Name").fill("Klanten")
    page.get_by_role("button", name="Create list").click()
    expect(page).to_have_url(LIST_ID)
    list_id = LIST_ID.search(page.url).group(1)
    # WHEN a CSV file is uploaded from the list page
    page.get_by_role("link", name="Import contacts from a CSV file").click()
    csv_file = tmp_path / "klanten.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    page.locator("#file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload").click()
    # THEN S3 sends the browser back to the mapping step, which recognised the columns
    expect(page.get_by_role("heading", name="Which column holds what?")).to_be_visible()
    expect(page.locator("#column_0")).to_have_value("email")
    expect(page.locator("#column_1")).to_have_value("first_name")
    # AND without the declaration nothing starts
    page.get_by_role("button", name="Start the import").click()
    expect(page.locator("#declared-error")).to_be_visible()
    page.get_by_label("How did these people give their consent?").fill("Klanten van de winkel, 2025")
    page.get_by_label("I declare that every person in this file agreed").check()
    page.get_by_role("button", name="Start the import").click()
    # AND the page follows the import until it is done, with a report to download
    expect(page.get_by_text("The import is done.")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("2 imported, 0 updated, 1 skipped")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report").click()
    report = open(download.value.path(), encoding="utf-8").read()
    assert "geen-adres" in report and "overgeslagen" in report  # the report speaks the account's language (nl)
    # WHEN a template and a campaign to that list are made and sent now
    page.goto(base + "/templates/new")
    page.locator("#name").fill("Welkom")
    page.locator("#subject").fill("Hallo {{ contact.first_name }}")
    page.locator("#html").fill("<p>Beste {{ contact.first_name }},</p><p>Welkom bij de bakkerij.</p>")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("The template is saved.")).to_be_visible()
    page.goto(base + "/campaigns")
    page.locator("#name").fill("Welkomstmail")
    page.locator("#template_id").select_option(label="Welkom")
    page.locator("#list_id").select_option(label="Klanten")
    page.get_by_role("button", name="Save campaign").click()
    expect(page).to_have_url(CAMPAIGN_PAGE)
    page.get_by_role("button", name="Review before sending").click()
    page.get_by_role("button", name="Send to 2 recipients now").click()
    # THEN the campaign page follows the send until it is sent
    expect(page.locator("#state")).to_have_text("Sent", timeout=90_000)
    expect(page.locator("#sent")).to_have_text("2")
    mails = [m for m in local_stack.get_json("/dev/outbox.json") if m["subject"] in ("Hallo Sanne", "Hallo Daan")]
    assert sorted(m["to"][0] for m in mails) == ["daan@example.com", "sanne@example.com"]
    campaign_id = CAMPAIGN_PAGE.search(page.url).group(1)
    # AND, once its recipients are indexed (a job), Sanne's page says she received it
    page.goto(base + "/contacts?search=sanne@example.com")
    page.get_by_role("link", name="sanne@example.com").click()
    received = page.locator(f'li[data-campaign="{campaign_id}"] .received-sent')
    for _ in range(30):
        if received.count():
            break
        page.wait_for_timeout(1_000)
        page.reload()
    expect(received).to_have_text("sent")
    # AND nothing broke the page policy on the way (the form posting to S3 included)
    assert problems == []
    assert list_id
