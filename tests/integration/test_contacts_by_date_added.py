"""The contacts page (/contacts) by date added, newest first (the default once the by-added index is
backfilled) or oldest first, beside A-Z / Z-A, paged in DynamoDB through the sparse by-added index
(audience/models.py). Contacts stored before that index are put in by the `audience-added-index`
backfill; until it ran the page offers the address order only."""

import html
import re
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audience.audience import Contact, contact_id_for
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list, import_file, sign_up

START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
ADDRESS = re.compile(r"[a-z]+\d{3}@example\.com")


@pytest.fixture
def account(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    return cookie, csrf, list_id, app_module.services().audience.list_owner(list_id)


def store_contacts(app_module, account_id, list_id, numbers, name="add"):
    """Contacts <name><n>@example.com, added n hours after START (the import's batch write)."""
    addresses = {n: f"{name}{n:03d}@example.com" for n in numbers}
    contacts = [Contact(contact_id_for(account_id, address), account_id, address, address,
                        created_at=START + timedelta(hours=n)) for n, address in addresses.items()]
    app_module.services().audience.add_subscribed_contacts(contacts, list_id, [{"source": "import"}] * len(contacts))
    return contacts


def backfill(app_module):
    from chalicelib.operations.jobs import run_job

    services = app_module.services()
    return run_job("audience-added-index", services.job_runs, services.scheduled_jobs()).summary


def page_text(client, cookie, path):
    response = client.get(path, headers={"Cookie": cookie})
    assert response.status_code == 200, (path, response.body)
    return html.unescape(response.body.decode())


def all_pages(client, cookie, path, pattern=ADDRESS) -> list[str]:
    """The addresses shown, page after page, in the order shown."""
    shown = []
    while path:
        page = page_text(client, cookie, path)
        shown += pattern.findall(page)
        found = re.search(r'<a href="([^"]+)" rel="next"', page)
        path = found.group(1) if found else None
    return shown


def test_contacts_come_newest_first_by_default_then_oldest_first_across_pages(client, app_module, account):
    cookie, csrf, list_id, account_id = account
    backfill(app_module)  # a new installation: nothing to backfill, the index is ready
    # GIVEN 60 contacts added an hour apart, stored in an order unlike that
    store_contacts(app_module, account_id, list_id, [*range(1, 60, 2), *range(0, 60, 2)])
    expected = [f"add{n:03d}@example.com" for n in range(60)]
    # WHEN the holder pages through /contacts as it opens, and oldest first
    newest = all_pages(client, cookie, "/contacts")
    oldest = all_pages(client, cookie, "/contacts?sort=added&order=asc")
    # THEN they come by date added, each once, over two pages
    assert newest == list(reversed(expected))
    assert oldest == expected
    # AND the address orders are there still
    assert all_pages(client, cookie, "/contacts?sort=email&order=asc") == sorted(expected)
    # AND the page offers all four orders, the current one marked, and shows the date added
    page = page_text(client, cookie, "/contacts?lang=en")
    assert '<strong aria-current="true">Newest first</strong>' in page
    for query, label in (("sort=added&order=asc", "Oldest first"), ("sort=email&order=asc", "E-mail address A-Z"),
                         ("sort=email&order=desc", "E-mail address Z-A")):
        assert f'href="/contacts?{query}">{label}</a>' in page
    assert "<th>Added</th>" in page
    # add059: START + 59 h, 21:00 in Amsterdam, in the page's language (Babel; a narrow space before PM)
    assert "<td>Mar 3, 2026, 9:00\u202fPM</td>" in page
    assert "<td>3 mrt 2026, 21:00</td>" in page_text(client, cookie, "/contacts?lang=nl")


def test_a_search_in_date_order_filters_each_page_and_keeps_the_order(client, app_module, account):
    cookie, csrf, list_id, account_id = account
    backfill(app_module)
    store_contacts(app_module, account_id, list_id, range(0, 60, 2), name="jan")
    store_contacts(app_module, account_id, list_id, range(1, 60, 2), name="piet")
    # WHEN the holder searches, as the search opens (A-Z) and newest first
    by_address = all_pages(client, cookie, "/contacts?search=piet")
    newest = all_pages(client, cookie, "/contacts?search=piet&sort=added&order=desc")
    # THEN only the matches come, in the order asked for
    assert by_address == [f"piet{n:03d}@example.com" for n in range(1, 60, 2)]
    assert newest == [f"piet{n:03d}@example.com" for n in reversed(range(1, 60, 2))]


def test_a_cursor_of_another_order_or_a_made_up_one_gets_a_400_page(client, app_module, account):
    cookie, csrf, list_id, account_id = account
    backfill(app_module)
    store_contacts(app_module, account_id, list_id, range(55))
    def next_cursor(path):
        next_link = re.search(r'<a href="([^"]+)" rel="next"', page_text(client, cookie, path)).group(1)
        return re.search(r"cursor=([^&\"]+)", next_link).group(1)

    cursor, address_cursor = next_cursor("/contacts"), next_cursor("/contacts?sort=email&order=asc")
    # WHEN a cursor is made up, or one of the address order is used in date order and the other way
    for path in ("/contacts?sort=added&order=desc&cursor=bm9wZQ",
                 f"/contacts?sort=added&order=desc&cursor={address_cursor}",
                 f"/contacts?sort=email&order=asc&cursor={cursor}"):
        response = client.get(path, headers={"Cookie": cookie, "Accept": "text/html"})
        # THEN the answer is a 400 page saying to start from the first page, never a 500
        assert response.status_code == 400, (path, response.status_code)
        assert "eerste pagina" in response.body.decode(), path
    # AND the genuine cursor gives the rest, oldest five last
    assert ADDRESS.findall(page_text(client, cookie, f"/contacts?sort=added&order=desc&cursor={cursor}")) == [
        f"add{n:03d}@example.com" for n in (4, 3, 2, 1, 0)]


def test_the_backfill_makes_contacts_stored_before_the_index_sortable_by_date(client, app_module, aws_resources, account):
    cookie, csrf, list_id, account_id = account
    # GIVEN contacts stored before the by-added index existed (no key of it)
    contacts = store_contacts(app_module, account_id, list_id, [3, 1, 4, 0, 2])
    table = aws_resources.resource("dynamodb").Table("mailexpert-audience")
    for contact in contacts:
        table.update_item(Key={"pk": f"ACCOUNT#{account_id}", "sk": f"CONTACT#{contact.contact_id}"},
                          UpdateExpression="REMOVE gsi3pk, gsi3sk")
    # WHEN the holder opens /contacts before the backfill ran, even asking for newest first
    before = page_text(client, cookie, "/contacts?lang=en")
    asked = all_pages(client, cookie, "/contacts?sort=added&order=desc")
    # THEN every contact is there, by address, and the date orders are not offered yet
    assert ADDRESS.findall(before) == asked == [f"add{n:03d}@example.com" for n in range(5)]
    assert '<strong aria-current="true">E-mail address A-Z</strong>' in before and "Newest first" not in before
    # WHEN the backfill runs (twice: it is safe to run again)
    assert backfill(app_module) == {"contacts": 5}
    assert backfill(app_module) == {"contacts": 0}
    # THEN /contacts opens newest first, and oldest first is offered
    assert all_pages(client, cookie, "/contacts") == [f"add{n:03d}@example.com" for n in (4, 3, 2, 1, 0)]
    assert all_pages(client, cookie, "/contacts?sort=added&order=asc") == [f"add{n:03d}@example.com" for n in range(5)]
    # AND each item got its creation time as key, and the index keys stay out of the data export
    item = table.get_item(Key={"pk": f"ACCOUNT#{account_id}", "sk": f"CONTACT#{contacts[0].contact_id}"})["Item"]
    assert (item["gsi3pk"], item["gsi3sk"]) == (f"ACCOUNT#{account_id}", f"{item['created_at']}#{contacts[0].contact_id}")
    exported = dict(app_module.services().audience.account_items(account_id))[f"CONTACT#{contacts[0].contact_id}"]
    assert "gsi3pk" not in exported and "gsi3sk" not in exported


def test_make_job_runs_the_added_index_backfill_by_its_name(client, app_module, aws_resources, account, monkeypatch):
    import devstack.__main__ as devstack_main

    cookie, csrf, list_id, account_id = account
    [contact] = store_contacts(app_module, account_id, list_id, [0])
    aws_resources.resource("dynamodb").Table("mailexpert-audience").update_item(
        Key={"pk": f"ACCOUNT#{account_id}", "sk": f"CONTACT#{contact.contact_id}"}, UpdateExpression="REMOVE gsi3pk, gsi3sk")
    monkeypatch.setattr(devstack_main, "load_app", lambda stage: app_module)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    # WHEN `make job NAME=audience-added-index` runs (devstack's job command)
    assert devstack_main.job("audience-added-index", "local") == 0
    # THEN the job's run is recorded with the contact it put in the index
    assert app_module.services().job_runs.latest("audience-added-index", limit=1)[0].summary == {"contacts": 1}


def test_contacts_added_by_hand_by_an_import_and_by_the_sign_up_form_come_in_date_order(
        client, app_module, aws_resources, outbox, account):
    cookie, csrf, list_id, account_id = account
    backfill(app_module)
    # GIVEN a contact added by hand, then two by a CSV import, then one through the sign-up form
    added = post_form(client, f"/lists/{list_id}/contacts", {"csrf_token": csrf, "email": "hand001@example.com",
                                                              "lawful_basis": "customer"}, cookie=cookie)
    assert added.status_code == 303, added.body
    import_file(client, app_module, aws_resources, cookie, csrf, list_id,
                b"email,first_name\nimport001@example.com,Ida\nimport002@example.com,Ivo\n")
    assert sign_up(client, app_module, aws_resources, list_id, "form001@example.com").status_code in (200, 303)
    # WHEN the holder opens /contacts, and asks oldest first
    newest = all_pages(client, cookie, "/contacts")
    oldest = all_pages(client, cookie, "/contacts?sort=added&order=asc")
    # THEN each comes where it was added (the import's two were added at one moment)
    assert newest[0] == "form001@example.com" and newest[-1] == "hand001@example.com"
    assert set(newest[1:3]) == {"import001@example.com", "import002@example.com"}
    assert oldest == list(reversed(newest))
