"""The lists of campaigns, templates and a list's contacts: status tabs with counts (campaigns),
sorting by name or date both ways, paging by an opaque cursor; a cursor that was altered, made up
or belongs to another sort or filter gets a 400 page, never a 500 (campaigns/listing.py)."""

import html
import json
import re

import pytest

from chalicelib.campaigns import listing
from tests.integration.audience_helpers import account_with_list, import_file
from tests.integration.test_campaign_flow import TEMPLATE_HTML


def _api(client, cookie, csrf, method, path, body=None):
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    response = client.request(method, path, headers=headers, body=json.dumps(body).encode() if body is not None else b"")
    assert response.status_code < 300, response.body
    return json.loads(response.body) if response.body else None


def _page(client, cookie, path) -> str:
    response = client.get(path, headers={"Cookie": cookie})
    assert response.status_code == 200, response.body
    return html.unescape(response.body.decode())


def _names(page: str, kind: str) -> list[str]:
    return re.findall(rf'<td><a href="/{kind}/[0-9a-f]+">([^<]+)</a></td>', page)


def _next_link(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next"', page)
    return found.group(1) if found else None


@pytest.fixture
def account(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    return cookie, csrf, list_id


def _campaigns(client, account, names):
    cookie, csrf, list_id = account
    template = _api(client, cookie, csrf, "POST", "/api/v1/templates",
                    {"name": "Nieuws", "subject": "Nieuws", "html": TEMPLATE_HTML})
    return {name: _api(client, cookie, csrf, "POST", "/api/v1/campaigns",
                       {"name": name, "template_id": template["template_id"], "list_id": list_id})["campaign_id"]
            for name in names}


def test_campaign_status_tabs_count_each_status_and_filter(client, account):
    cookie, csrf, list_id = account
    ids = _campaigns(client, account, ["Januari", "Februari", "Maart", "April"])
    # GIVEN one campaign sending (through the API), one cancelled, two drafts
    _api(client, cookie, csrf, "POST", f"/api/v1/campaigns/{ids['Februari']}/schedule", {})
    _api(client, cookie, csrf, "POST", f"/api/v1/campaigns/{ids['Maart']}/cancel")
    # WHEN the holder opens the campaigns page
    page = _page(client, cookie, "/campaigns?lang=en")
    # THEN each status tab shows its count, and the list every campaign
    assert '<strong aria-current="page">All (4)</strong>' in page
    assert "Draft (2)</a>" in page and "Sending (1)</a>" in page and "Cancelled (1)</a>" in page
    assert "Sent (0)</a>" in page and "Scheduled (0)</a>" in page
    assert sorted(_names(page, "campaigns")) == ["April", "Februari", "Januari", "Maart"]
    # WHEN a tab is chosen THEN only its campaigns show, the tab marked
    drafts = _page(client, cookie, "/campaigns?state=draft&lang=en")
    assert sorted(_names(drafts, "campaigns")) == ["April", "Januari"]
    assert '<strong aria-current="page">Draft (2)</strong>' in drafts
    assert _names(_page(client, cookie, "/campaigns?state=cancelled"), "campaigns") == ["Maart"]


def test_campaigns_and_templates_sort_by_name_and_date_both_ways(client, account):
    cookie, csrf, list_id = account
    _campaigns(client, account, ["Bakker", "Aalders", "Cornelis"])  # made in this order
    # WHEN sorted by date (the default: newest first), oldest first, by name and by name backwards
    # THEN the order follows
    assert _names(_page(client, cookie, "/campaigns"), "campaigns") == ["Cornelis", "Aalders", "Bakker"]
    assert _names(_page(client, cookie, "/campaigns?sort=date&order=asc"), "campaigns") == [
        "Bakker", "Aalders", "Cornelis"]
    assert _names(_page(client, cookie, "/campaigns?sort=name"), "campaigns") == ["Aalders", "Bakker", "Cornelis"]
    assert _names(_page(client, cookie, "/campaigns?sort=name&order=desc"), "campaigns") == [
        "Cornelis", "Bakker", "Aalders"]
    # AND templates sort the same way
    for name in ("zomer", "Herfst"):
        _api(client, cookie, csrf, "POST", "/api/v1/templates", {"name": name, "subject": "x", "html": "<p>x</p>"})
    assert _names(_page(client, cookie, "/templates?sort=name"), "templates") == ["Herfst", "Nieuws", "zomer"]
    assert _names(_page(client, cookie, "/templates"), "templates") == ["Herfst", "zomer", "Nieuws"]
    # AND an unknown sort falls back to the default rather than failing
    assert _names(_page(client, cookie, "/templates?sort=colour&order=up"), "templates") == [
        "Herfst", "zomer", "Nieuws"]


def test_campaigns_page_by_page_without_overlap_or_gap(client, account, monkeypatch):
    cookie, csrf, list_id = account
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    _campaigns(client, account, ["E", "B", "D", "A", "C"])
    # WHEN the holder follows the next-page links sorted by name
    seen, path = [], "/campaigns?sort=name"
    for _ in range(5):
        page = _page(client, cookie, path)
        seen.append(_names(page, "campaigns"))
        path = _next_link(page)
        if path is None:
            break
    # THEN every campaign shows once, in order, two a page, and later pages link back to the first
    assert seen == [["A", "B"], ["C", "D"], ["E"]]
    assert 'rel="first"' in page


def test_templates_page_by_page(client, account, monkeypatch):
    cookie, csrf, list_id = account
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for name in ("een", "twee", "drie"):
        _api(client, cookie, csrf, "POST", "/api/v1/templates", {"name": name, "subject": "x", "html": "<p>x</p>"})
    first = _page(client, cookie, "/templates?sort=name")
    second = _page(client, cookie, _next_link(first))
    assert _names(first, "templates") == ["drie", "een"] and _names(second, "templates") == ["twee"]
    assert _next_link(second) is None


def test_bad_cursors_get_a_400_page_never_a_500(client, account, monkeypatch):
    cookie, csrf, list_id = account
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    _campaigns(client, account, ["A", "B"])
    cursor = re.search(r"cursor=([^&\"]+)", _next_link(_page(client, cookie, "/campaigns?sort=name"))).group(1)
    # WHEN cursors are made up, altered, or used with another sort or status filter
    for path in ("/campaigns?cursor=bm9wZQ", "/campaigns?cursor=%%%", f"/campaigns?sort=date&cursor={cursor}",
                 f"/campaigns?sort=name&state=draft&cursor={cursor}", f"/campaigns?sort=name&cursor={cursor[:-4]}",
                 "/templates?cursor=W10", f"/templates?sort=name&cursor={cursor}",
                 f"/lists/{list_id}?cursor=bm9wZQ", f"/lists/{list_id}?cursor=eyJwayI6IHsiUyI6ICJ4In19",
                 "/contacts?cursor=bm9wZQ"):
        response = client.get(path, headers={"Cookie": cookie, "Accept": "text/html"})
        # THEN the answer is a 400 page that says to start from the first page
        assert response.status_code == 400, (path, response.status_code)
        assert "<html" in response.body.decode() and "eerste pagina" in response.body.decode(), path
    # AND the genuine cursor works
    assert _names(_page(client, cookie, f"/campaigns?sort=name&cursor={cursor}"), "campaigns") == ["B"]


def test_a_lists_contacts_page_by_page(client, app_module, aws_resources, account):
    cookie, csrf, list_id = account
    rows = "\n".join(f"klant{n:03d}@example.com,Klant{n}" for n in range(55))
    import_file(client, app_module, aws_resources, cookie, csrf, list_id, f"email,first_name\n{rows}\n".encode())
    # WHEN the holder pages through the list's subscribed contacts
    first = _page(client, cookie, f"/lists/{list_id}")
    addresses = set(re.findall(r"klant\d{3}@example\.com", first))
    link = re.search(r'href="(/lists/[^"]+cursor=[^"]+)"', first).group(1)
    addresses |= set(re.findall(r"klant\d{3}@example\.com", _page(client, cookie, html.unescape(link))))
    # THEN both pages together hold each of them
    assert len(addresses) == 55
