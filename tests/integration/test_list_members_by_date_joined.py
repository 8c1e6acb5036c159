"""A list's contacts by date joined, newest first (the default) or oldest first, paged in DynamoDB
through the sparse by-joined index (audience/models.py); memberships stored before that index are
put in by the `audience-joined-index` backfill, and until it ran the list pages in the old order."""

import html
import re
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audience.audience import Contact, Membership, MemberStatus, contact_id_for
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list

START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
ADDRESS = re.compile(r"lid\d{3}@example\.com")


@pytest.fixture
def account(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    return cookie, csrf, list_id, app_module.services().audience.list_owner(list_id)


def _store_members(app_module, account_id, list_id, numbers):
    """Contacts lid<n>@example.com subscribed to the list, joined n hours after START."""
    contacts = [Contact(contact_id_for(account_id, f"lid{n:03d}@example.com"), account_id, f"lid{n:03d}@example.com",
                        f"lid{n:03d}@example.com", created_at=START + timedelta(hours=n)) for n in numbers]
    app_module.services().audience.add_subscribed_contacts(contacts, list_id, [{"source": "import"}] * len(contacts))
    return contacts


def _backfill(app_module):
    from chalicelib.operations.jobs import run_job

    services = app_module.services()
    return run_job("audience-joined-index", services.job_runs, services.scheduled_jobs()).summary


def _page(client, cookie, path):
    response = client.get(path, headers={"Cookie": cookie})
    assert response.status_code == 200, (path, response.body)
    return html.unescape(response.body.decode())


def _all_pages(client, cookie, path) -> list[str]:
    """The addresses shown, page after page, in the order shown."""
    shown = []
    while path:
        page = _page(client, cookie, path)
        shown += ADDRESS.findall(page)
        found = re.search(r'<a href="([^"]+)" rel="next"', page)
        path = found.group(1) if found else None
    return shown


def _joined_index_items(aws_resources, contact_id):
    table = aws_resources.resource("dynamodb").Table("mailexpert-audience")
    return [i for i in table.scan()["Items"] if i.get("gsi2sk", "").endswith(f"#{contact_id}")]


def test_a_lists_contacts_come_newest_first_then_oldest_first_across_pages(client, app_module, account):
    cookie, csrf, list_id, account_id = account
    _backfill(app_module)  # a new installation: nothing to backfill, the index is ready
    # GIVEN 60 subscribers who joined an hour apart, stored in an order unlike that, and one whose
    # first list is another, who joined this list between lid029 and lid030
    _store_members(app_module, account_id, list_id, [n for n in range(60) if n % 2] + [n for n in range(60) if not n % 2])
    other = client.post("/lists", headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
                        body=f"csrf_token={csrf}&name=Tweede".encode())
    other_list = other.headers["Location"].rsplit("/", 1)[1]
    [elsewhere] = _store_members(app_module, account_id, other_list, [200])
    app_module.services().audience.save_membership(Membership(
        account_id, list_id, elsewhere.contact_id, MemberStatus.SUBSCRIBED, {"source": "manual"},
        START + timedelta(hours=29, minutes=30)))
    expected = [f"lid{n:03d}@example.com" for n in range(60)]
    expected.insert(30, "lid200@example.com")
    # WHEN the holder pages through the list as it opens (newest first), and oldest first
    newest = _all_pages(client, cookie, f"/lists/{list_id}")
    oldest = _all_pages(client, cookie, f"/lists/{list_id}?status=subscribed&sort=joined&order=asc")
    # THEN they come by date joined, each once, over two pages
    assert newest == list(reversed(expected))
    assert oldest == expected
    # AND the page offers both orders through the sort links, the current one marked
    page = _page(client, cookie, f"/lists/{list_id}?lang=en")
    assert '<strong aria-current="true">Newest first</strong>' in page
    assert f'href="/lists/{list_id}?status=subscribed&sort=joined&order=asc">Oldest first</a>' in page


def test_a_bad_or_foreign_cursor_of_the_joined_order_gets_a_400_page(client, app_module, account):
    cookie, csrf, list_id, account_id = account
    _backfill(app_module)
    _store_members(app_module, account_id, list_id, range(55))
    first = _page(client, cookie, f"/lists/{list_id}")
    cursor = re.search(r"cursor=([^&\"]+)", re.search(r'<a href="([^"]+)" rel="next"', first).group(1)).group(1)
    # WHEN a cursor is made up, cut short, or used on another status tab
    for path in (f"/lists/{list_id}?cursor=bm9wZQ", f"/lists/{list_id}?cursor={cursor[:-6]}",
                 f"/lists/{list_id}?status=unsubscribed&cursor={cursor}",
                 f"/lists/{list_id}?cursor=eyJnc2kxcGsiOiB7IlMiOiAieCJ9fQ=="):
        response = client.get(path, headers={"Cookie": cookie, "Accept": "text/html"})
        # THEN the answer is a 400 page saying to start from the first page, never a 500
        assert response.status_code == 400, (path, response.status_code)
        assert "eerste pagina" in response.body.decode(), path
    # AND the genuine cursor gives the rest
    assert len(ADDRESS.findall(_page(client, cookie, f"/lists/{list_id}?cursor={cursor}"))) == 5


def test_the_backfill_makes_memberships_stored_before_the_index_sortable(client, app_module, aws_resources, account):
    cookie, csrf, list_id, account_id = account
    # GIVEN memberships stored before the by-joined index existed (no key of it)
    contacts = _store_members(app_module, account_id, list_id, [3, 1, 4, 0, 2])
    table = aws_resources.resource("dynamodb").Table("mailexpert-audience")
    for contact in contacts:
        table.update_item(Key={"pk": f"ACCOUNT#{account_id}", "sk": f"CONTACT#{contact.contact_id}"},
                          UpdateExpression="REMOVE gsi2pk, gsi2sk")
    # WHEN the holder opens the list before the backfill ran
    before = _all_pages(client, cookie, f"/lists/{list_id}")
    # THEN every member is there still (in the old order)
    assert sorted(before) == [f"lid{n:03d}@example.com" for n in range(5)]
    # WHEN the backfill runs (twice: it is safe to run again)
    assert _backfill(app_module) == {"memberships": 5}
    assert _backfill(app_module) == {"memberships": 0}
    # THEN the list comes by date joined both ways
    assert _all_pages(client, cookie, f"/lists/{list_id}") == [f"lid{n:03d}@example.com" for n in (4, 3, 2, 1, 0)]
    assert _all_pages(client, cookie, f"/lists/{list_id}?order=asc") == [f"lid{n:03d}@example.com" for n in range(5)]


def test_memberships_removed_or_erased_leave_the_joined_order(client, app_module, aws_resources, account):
    cookie, csrf, list_id, account_id = account
    _backfill(app_module)
    removed, erased, kept = _store_members(app_module, account_id, list_id, [0, 1, 2])
    # WHEN the holder takes one contact off the list and erases another
    for path in (f"/contacts/{removed.contact_id}/lists/{list_id}/remove", f"/contacts/{erased.contact_id}/erase"):
        assert post_form(client, path, {"csrf_token": csrf, "confirmed": "yes"}, cookie=cookie).status_code == 303, path
    # THEN the subscribed tab, both ways, holds only the one who stayed
    assert _all_pages(client, cookie, f"/lists/{list_id}") == ["lid002@example.com"]
    assert _all_pages(client, cookie, f"/lists/{list_id}?order=asc") == ["lid002@example.com"]
    # AND the removed one is under "unsubscribed"; the erased one is in no partition of the index
    assert _all_pages(client, cookie, f"/lists/{list_id}?status=unsubscribed") == ["lid000@example.com"]
    assert [i["gsi2pk"] for i in _joined_index_items(aws_resources, removed.contact_id)] == [
        f"{account_id}#{list_id}#unsubscribed"]
    assert _joined_index_items(aws_resources, erased.contact_id) == []
    assert len(_joined_index_items(aws_resources, kept.contact_id)) == 1


def test_make_job_runs_the_backfill_by_its_name(client, app_module, aws_resources, account, monkeypatch):
    import devstack.__main__ as devstack_main

    cookie, csrf, list_id, account_id = account
    [contact] = _store_members(app_module, account_id, list_id, [0])
    aws_resources.resource("dynamodb").Table("mailexpert-audience").update_item(
        Key={"pk": f"ACCOUNT#{account_id}", "sk": f"CONTACT#{contact.contact_id}"}, UpdateExpression="REMOVE gsi2pk, gsi2sk")
    monkeypatch.setattr(devstack_main, "load_app", lambda stage: app_module)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    # WHEN `make job NAME=audience-joined-index` runs (devstack's job command)
    assert devstack_main.job("audience-joined-index", "local") == 0
    # THEN the old membership is in the by-joined index, and the job's run is recorded
    assert len(_joined_index_items(aws_resources, contact.contact_id)) == 1
    assert app_module.services().job_runs.latest("audience-joined-index", limit=1)[0].summary == {"memberships": 1}
    # AND a name that is neither a schedule nor a job is refused
    assert devstack_main.job("no-such-job", "local") == 2
