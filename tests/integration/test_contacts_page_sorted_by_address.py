"""The contacts page: an account's contacts by address, A-Z (the default) or Z-A, paged in DynamoDB
through the by-address index; a search keeps its order, a bad cursor gets a 400 page."""

import html
import re
from datetime import datetime, timezone

import pytest

from chalicelib.audience.audience import Contact, contact_id_for
from tests.integration.audience_helpers import account_with_list

ADDRESS = re.compile(r"[a-z]+\d{2}@example\.com")


@pytest.fixture
def account(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    account_id = app_module.services().audience.list_owner(list_id)
    # GIVEN 60 contacts: jan00..jan29 and piet00..piet29 (stored in the order of their hashed ids)
    addresses = [f"{name}{n:02d}@example.com" for name in ("piet", "jan") for n in range(30)]
    contacts = [Contact(contact_id_for(account_id, a), account_id, a, a, created_at=datetime.now(timezone.utc)) for a in addresses]
    app_module.services().audience.add_subscribed_contacts(contacts, list_id, [{"source": "import"}] * len(contacts))
    return cookie, sorted(addresses)


def _all_pages(client, cookie, path) -> list[str]:
    shown = []
    while path:
        response = client.get(path, headers={"Cookie": cookie})
        assert response.status_code == 200, (path, response.body)
        page = html.unescape(response.body.decode())
        shown += ADDRESS.findall(page)
        found = re.search(r'<a href="([^"]+)" rel="next"', page)
        path = found.group(1) if found else None
    return shown


def test_contacts_come_by_address_a_to_z_then_z_to_a_across_pages(client, account):
    cookie, addresses = account
    # WHEN the holder pages through the contacts as the page opens, and Z-A
    assert _all_pages(client, cookie, "/contacts") == addresses
    assert _all_pages(client, cookie, "/contacts?sort=email&order=desc") == list(reversed(addresses))
    # AND a search keeps the order it was asked in
    assert _all_pages(client, cookie, "/contacts?search=piet&order=desc") == \
        [a for a in reversed(addresses) if a.startswith("piet")]
    # AND the page offers both orders through the sort links
    page = html.unescape(client.get("/contacts?lang=en", headers={"Cookie": cookie}).body.decode())
    assert '<strong aria-current="true">E-mail address A-Z</strong>' in page
    assert 'href="/contacts?sort=email&order=desc">E-mail address Z-A</a>' in page


def test_a_made_up_cursor_of_the_contacts_page_gets_a_400_page(client, account):
    cookie, _ = account
    for path in ("/contacts?order=desc&cursor=bm9wZQ", "/contacts?cursor=eyJnc2kxcGsiOiB7IlMiOiAieCJ9fQ=="):
        response = client.get(path, headers={"Cookie": cookie, "Accept": "text/html"})
        assert response.status_code == 400, (path, response.status_code)
        assert "eerste pagina" in response.body.decode(), path
