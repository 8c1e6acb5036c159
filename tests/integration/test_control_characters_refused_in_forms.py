"""A NUL byte (or another control character) in any field of a posted form is refused with a page
that names the field, in the user's language, and nothing is stored."""

from urllib.parse import urlencode

from tests.integration.accounts_helpers import FORM, csrf_token_of, log_in, register
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_settings_profile import PROFILE_FIELDS, signed_in_settings


def _post(client, path, fields, cookie=None, language="nl"):
    return client.post(path, headers={**FORM, "Accept-Language": language, **({"Cookie": cookie} if cookie else {})},
                       body=urlencode(fields).encode())


def _refusal_page(response) -> str:
    page = response.body.decode()
    assert response.status_code == 422, page
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Traceback" not in page
    return page


def test_list_name_with_a_nul_byte_is_refused_when_the_list_form_is_posted(client, app_module, aws_resources, outbox):
    # GIVEN a signed-in account holder on the lists page
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    csrf = csrf_token_of(client.get("/lists", headers={"Cookie": cookie}).body.decode())
    # WHEN they post a list name holding a NUL byte (%00 in the form body)
    response = _post(client, "/lists", {"csrf_token": csrf, "name": "Klan\x00ten"}, cookie=cookie)
    # THEN a page in Dutch names the field and says why, and no list is stored
    page = _refusal_page(response)
    assert "<strong>name</strong>" in page and "stuurteken" in page
    lists = client.get("/lists", headers={"Cookie": cookie}).body.decode()
    assert "Klan" not in lists


def test_profile_field_with_a_control_character_is_refused_when_settings_are_posted(
        client, app_module, aws_resources, outbox):
    # GIVEN the settings page of a signed-in account holder
    fields, cookie, page = signed_in_settings(client, app_module, aws_resources, outbox)
    form = {k: fields[k] for k in PROFILE_FIELDS}
    # WHEN the profile is posted with a NUL byte in the city and a bell character in the company name
    form.update(city="Haar\x00lem", company_name="De Vries\x07 Bloemen", csrf_token=csrf_token_of(page))
    response = _post(client, "/settings/profile", form, cookie=cookie, language="en")
    # THEN both fields are named, in English, and the stored details are unchanged
    page = _refusal_page(response)
    assert "<strong>city</strong>" in page and "<strong>company_name</strong>" in page
    assert "control character" in page
    settings = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    assert 'value="Amsterdam"' in settings and "Haar" not in settings


def test_sign_up_with_a_nul_byte_is_refused_when_the_public_form_is_posted(client, app_module, aws_resources, outbox):
    # GIVEN a list's public sign-up form
    cookie, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN someone signs up with a NUL byte in their first name
    response = _post(client, f"/f/{list_id}", {"email": "piet@example.org", "first_name": "Pi\x00et"})
    # THEN they get a clear page, and nobody is added to the list
    page = _refusal_page(response)
    assert "<strong>first_name</strong>" in page
    members = client.get(f"/lists/{list_id}?status=unconfirmed", headers={"Cookie": cookie}).body.decode()
    assert "piet@example.org" not in members
