"""The account holder edits a contact on its page: name, language, tags, custom fields (typed as
defined), and which lists it is on. The address cannot change (a contact's id follows from it);
what does not fit comes back beside its field, with what was typed, and nothing is stored."""

import html
import json

from tests.integration.accounts_helpers import post_form, register, confirm, log_in, csrf_token_of
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_campaign_flow import _add


def _api(client, cookie, csrf, method, path, body=None):
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    response = client.request(method, path, headers=headers, body=json.dumps(body).encode() if body is not None else b"")
    assert response.status_code < 300, response.body
    return json.loads(response.body) if response.body else None


def _contact(client, app_module, aws_resources, outbox):
    """An account with a list, a contact on it, and a number, a date and a yes/no field defined."""
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    _add(client, cookie, csrf, list_id, "piet@example.com", "Piet")
    for label, field_type in (("Punten", "number"), ("Verjaardag", "date"), ("Klant", "boolean")):
        _api(client, cookie, csrf, "POST", "/api/v1/fields", {"label": label, "field_type": field_type})
    contact_id = _api(client, cookie, csrf, "GET", "/api/v1/contacts")["contacts"][0]["contact_id"]
    return cookie, csrf, list_id, contact_id


def test_holder_changes_name_language_tags_and_typed_fields(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, contact_id = _contact(client, app_module, aws_resources, outbox)
    # GIVEN a value of a field that is not defined (kept as text)
    _api(client, cookie, csrf, "POST", f"/api/v1/lists/{list_id}/contacts", {
        "email": "piet@example.com", "fields": {"oud": "waarde"}, "confirm": False, "lawful_basis": "klant"})
    page = client.get(f"/contacts/{contact_id}", headers={"Cookie": cookie}).body.decode()
    assert 'id="fields.punten"' in page and 'id="email-rule"' in page
    # WHEN the holder saves new values
    saved = post_form(client, f"/contacts/{contact_id}", {
        "csrf_token": csrf, "first_name": "Pieter", "last_name": "de Boer", "language": "en",
        "tags": "vip, bakker, vip", "fields.punten": "1234", "fields.verjaardag": "2001-02-03",
        "fields.klant": "true", "email": "ander@example.com"}, cookie=cookie)
    # THEN they are stored, typed as their fields are, tags once each; the address stays
    assert saved.status_code == 303 and saved.headers["Location"] == f"/contacts/{contact_id}?notice=contact-saved"
    stored = _api(client, cookie, csrf, "GET", f"/api/v1/contacts/{contact_id}")
    assert stored["email"] == "piet@example.com"
    assert (stored["first_name"], stored["last_name"], stored["language"]) == ("Pieter", "de Boer", "en")
    assert stored["tags"] == ["vip", "bakker"]
    data = _api(client, cookie, csrf, "GET", f"/api/v1/contacts/{contact_id}/data")["contact"]
    assert data["fields"] == {"punten": 1234, "verjaardag": "2001-02-03", "klant": True, "oud": "waarde"}
    # AND the page shows them in the form, and says it is saved
    page = html.unescape(client.get(f"/contacts/{contact_id}?notice=contact-saved",
                                    headers={"Cookie": cookie}).body.decode())
    assert "Het contact is opgeslagen." in page
    assert 'value="Pieter"' in page and 'value="vip, bakker"' in page and 'value="1234"' in page
    assert '<option value="true" selected>' in page and '<option value="en" selected>' in page
    # WHEN a field is emptied THEN it is removed, the others stay
    post_form(client, f"/contacts/{contact_id}", {"csrf_token": csrf, "first_name": "Pieter", "fields.punten": "",
                                                  "fields.verjaardag": "2001-02-03", "fields.klant": "true"},
              cookie=cookie)
    data = _api(client, cookie, csrf, "GET", f"/api/v1/contacts/{contact_id}/data")["contact"]
    assert data["fields"] == {"verjaardag": "2001-02-03", "klant": True, "oud": "waarde"}
    assert data["last_name"] is None


def test_values_that_do_not_fit_come_back_beside_their_field_and_nothing_is_stored(
        client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, contact_id = _contact(client, app_module, aws_resources, outbox)
    # WHEN the holder saves a number that is none, a made-up language and an overlong name
    refused = post_form(client, f"/contacts/{contact_id}", {
        "csrf_token": csrf, "first_name": "x" * 101, "language": "de", "fields.punten": "veel",
        "fields.verjaardag": "31-02-2024", "tags": "goed"}, cookie=cookie)
    # THEN the page comes back with each error beside its field, and what was typed kept
    body = html.unescape(refused.body.decode())
    assert refused.status_code == 422, body
    for name in ("first_name", "language"):
        assert f'id="{name}-error"' in body, name
    assert 'value="veel"' in body and 'value="goed"' in body
    # AND nothing changed
    assert _api(client, cookie, csrf, "GET", f"/api/v1/contacts/{contact_id}")["first_name"] == "Piet"
    # WHEN only a custom field does not fit THEN its error is beside it
    refused = post_form(client, f"/contacts/{contact_id}", {"csrf_token": csrf, "fields.punten": "veel",
                                                            "fields.klant": "misschien"}, cookie=cookie)
    body = refused.body.decode()
    assert refused.status_code == 422 and 'id="fields.punten-error"' in body and 'aria-invalid="true"' in body
    assert _api(client, cookie, csrf, "GET", f"/api/v1/contacts/{contact_id}")["fields"] == {}


def test_holder_takes_a_contact_off_a_list_and_puts_it_on_another(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, contact_id = _contact(client, app_module, aws_resources, outbox)
    other_id = _api(client, cookie, csrf, "POST", "/api/v1/lists", {"name": "Acties"})["list_id"]
    # WHEN the holder puts the contact on the other list without a lawful basis or confirmation
    refused = post_form(client, f"/contacts/{contact_id}/lists", {"csrf_token": csrf, "list_id": other_id},
                        cookie=cookie)
    # THEN that is refused beside the field
    assert refused.status_code == 422 and 'id="lawful_basis-error"' in refused.body.decode()
    # WHEN they give the lawful basis THEN the contact is subscribed there
    added = post_form(client, f"/contacts/{contact_id}/lists", {"csrf_token": csrf, "list_id": other_id,
                                                                "lawful_basis": "Klant sinds 2020"}, cookie=cookie)
    assert added.status_code == 303 and added.headers["Location"].endswith("notice=contact-added")
    lists = _api(client, cookie, csrf, "GET", f"/api/v1/contacts/{contact_id}")["lists"]
    assert lists == {list_id: "subscribed", other_id: "subscribed"}
    # WHEN they take it off the first list
    removed = post_form(client, f"/contacts/{contact_id}/lists/{list_id}/remove",
                        {"csrf_token": csrf, "confirmed": "yes"}, cookie=cookie)
    # THEN it is unsubscribed there, the consent record says who removed it, and no campaign there reaches it
    assert removed.status_code == 303
    lists = _api(client, cookie, csrf, "GET", f"/api/v1/contacts/{contact_id}")["lists"]
    assert lists == {list_id: "unsubscribed", other_id: "subscribed"}
    page = client.get(f"/contacts/{contact_id}", headers={"Cookie": cookie}).body.decode()
    assert "Door jou verwijderd op" in page
    # AND putting it back by hand does not subscribe it again (only their own sign-up does)
    again = post_form(client, f"/contacts/{contact_id}/lists", {"csrf_token": csrf, "list_id": list_id,
                                                                "lawful_basis": "toch"}, cookie=cookie)
    assert again.headers["Location"].endswith("notice=not-subscribed")


def test_another_accounts_contact_cannot_be_edited(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id, contact_id = _contact(client, app_module, aws_resources, outbox)
    register(client, app_module, aws_resources, outbox, email="bob@example.nl")
    confirm(client, outbox, "bob@example.nl")
    bob = log_in(client, email="bob@example.nl")
    bob_csrf = csrf_token_of(client.get("/lists", headers={"Cookie": bob}).body.decode())
    for path, fields in ((f"/contacts/{contact_id}", {"first_name": "Gekaapt"}),
                         (f"/contacts/{contact_id}/lists/{list_id}/remove", {"confirmed": "yes"})):
        answer = post_form(client, path, {"csrf_token": bob_csrf, **fields}, cookie=bob)
        assert answer.status_code == 404, (path, answer.status_code)
    stored = _api(client, cookie, csrf, "GET", f"/api/v1/contacts/{contact_id}")
    assert stored["first_name"] == "Piet" and stored["lists"] == {list_id: "subscribed"}
