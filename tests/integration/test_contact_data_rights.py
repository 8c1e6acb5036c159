"""A subscriber's data rights, answered by the account holder: their data, and erasure."""

import json

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list


def add(client, cookie, csrf, list_id, email):
    post_form(client, f"/lists/{list_id}/contacts", {"csrf_token": csrf, "email": email, "first_name": "Kees",
                                                     "lawful_basis": "shop counter"}, cookie=cookie)
    page = client.get("/contacts", headers={"Cookie": cookie}).body.decode()
    return page.split('href="/contacts/', 1)[1].split('"', 1)[0]


def test_contact_data_download_holds_details_lists_and_consent(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    contact_id = add(client, cookie, csrf, list_id, "klant@example.org")
    response = client.get(f"/contacts/{contact_id}/export", headers={"Cookie": cookie})
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.body)
    assert data["contact"]["email"] == "klant@example.org"
    assert data["lists"][0]["list"] == "Nieuwsbrief" and data["lists"][0]["consent"]["lawful_basis"] == "shop counter"


def test_erased_contact_leaves_only_a_hash_and_is_never_imported_again(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    contact_id = add(client, cookie, csrf, list_id, "klant@example.org")
    assert post_form(client, f"/contacts/{contact_id}/erase", {"csrf_token": csrf, "confirmed": "yes"},
                     cookie=cookie).status_code == 303
    dump = json.dumps(aws_resources.client("dynamodb").scan(TableName="mailexpert-audience")["Items"])
    assert "klant@example.org" not in dump and "Kees" not in dump
    # WHEN the account holder adds the address again
    response = post_form(client, f"/lists/{list_id}/contacts", {"csrf_token": csrf, "email": "klant@example.org",
                                                                "lawful_basis": "old list"}, cookie=cookie)
    # THEN it is not subscribed
    assert response.headers["Location"].endswith("notice=not-subscribed")
    page = client.get("/suppression", headers={"Cookie": cookie, "Accept-Language": "en"}).body.decode()
    assert "(erased)" in page
