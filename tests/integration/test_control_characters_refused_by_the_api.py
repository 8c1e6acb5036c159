"""A NUL byte (or another control character) in any text of a JSON body is refused with a 422 naming
the field, and nothing is stored; tab, line feed and carriage return stay allowed."""

from tests.integration.conftest import json_body
from tests.integration.test_accounts_api import api, register_and_log_in


def _signed_in(client, app_module, aws_resources):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    return cookie, session["csrf_token"]


def _refused_fields(response) -> list[str]:
    assert response.status_code == 422, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = json_body(response)
    assert body["type"].endswith("/validation-failed")
    return [error["field"] for error in body["errors"]]


def test_list_name_with_a_nul_byte_is_refused_when_created_through_the_api(client, app_module, aws_resources):
    # GIVEN a signed-in account holder
    cookie, csrf = _signed_in(client, app_module, aws_resources)
    # WHEN they create a list whose name holds a NUL byte
    response = api(client, "POST", "/api/v1/lists", {"name": "Klan\u0000ten"}, cookie=cookie, csrf=csrf)
    # THEN the API names the field and says why, and no list is stored
    assert _refused_fields(response) == ["name"]
    assert "control character" in json_body(response)["errors"][0]["message"]
    assert json_body(api(client, "GET", "/api/v1/lists", cookie=cookie)) == []


def test_contact_field_with_a_control_character_is_refused_when_added_through_the_api(
        client, app_module, aws_resources):
    # GIVEN a list
    cookie, csrf = _signed_in(client, app_module, aws_resources)
    list_id = json_body(api(client, "POST", "/api/v1/lists", {"name": "Klanten"}, cookie=cookie, csrf=csrf))["list_id"]
    # WHEN a contact is added with a NUL byte in a custom field and an escape character in a tag
    response = api(client, "POST", f"/api/v1/lists/{list_id}/contacts",
                   {"email": "kees@example.org", "confirm": False, "lawful_basis": "klant",
                    "tags": ["vip", "\u001bnieuw"], "fields": {"city": "Amster\u0000dam"}}, cookie=cookie, csrf=csrf)
    # THEN each field is named, and the contact is not stored
    assert _refused_fields(response) == ["tags.1", "fields.city"]
    assert json_body(api(client, "GET", "/api/v1/contacts", cookie=cookie))["contacts"] == []


def test_campaign_subject_with_a_nul_byte_is_refused_when_created_through_the_api(client, app_module, aws_resources):
    # GIVEN a list to send to
    cookie, csrf = _signed_in(client, app_module, aws_resources)
    list_id = json_body(api(client, "POST", "/api/v1/lists", {"name": "Klanten"}, cookie=cookie, csrf=csrf))["list_id"]
    # WHEN a campaign is created with a NUL byte in its subject
    response = api(client, "POST", "/api/v1/campaigns", {"name": "Maart", "subject": "Nieuws\u0000", "list_id": list_id},
                   cookie=cookie, csrf=csrf)
    # THEN the subject is named (in the caller's language), and no campaign is stored
    assert _refused_fields(response) == ["subject"]
    dutch = api(client, "POST", "/api/v1/campaigns", {"name": "Maart", "subject": "Nieuws\u0000", "list_id": list_id},
                cookie=cookie, csrf=csrf, language="nl")
    assert "stuurteken" in json_body(dutch)["errors"][0]["message"]
    assert json_body(api(client, "GET", "/api/v1/campaigns", cookie=cookie)) == []


def test_tabs_and_line_breaks_are_kept_when_text_holds_them(client, app_module, aws_resources):
    # GIVEN a signed-in account holder
    cookie, csrf = _signed_in(client, app_module, aws_resources)
    # WHEN they create a list whose description has a tab and line breaks
    response = api(client, "POST", "/api/v1/lists", {"name": "Klanten", "description": "Een\tlijst\r\nvoor klanten"},
                   cookie=cookie, csrf=csrf)
    # THEN it is stored as written
    assert response.status_code == 201, response.body
    assert json_body(response)["description"] == "Een\tlijst\r\nvoor klanten"


def test_query_parameter_with_a_nul_byte_is_refused_when_it_would_be_stored(client, app_module, aws_resources):
    # GIVEN a signed-in account holder finishing an image upload
    cookie, csrf = _signed_in(client, app_module, aws_resources)
    upload = json_body(api(client, "POST", "/api/v1/images", {}, cookie=cookie, csrf=csrf))
    # WHEN the image's name (a query parameter, stored with the image) holds a NUL byte
    response = api(client, "POST", f"/api/v1/images/{upload['upload_id']}/finish?name=logo%00.png", cookie=cookie,
                   csrf=csrf)
    # THEN the parameter is named and refused before anything else happens
    assert _refused_fields(response) == ["name"]
