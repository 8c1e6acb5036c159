"""A form body that is not UTF-8 (raw bytes, or percent escapes such as %FF) is refused with a 400
page in the user's language, as the API refuses such a JSON body; nothing is stored as U+FFFD."""

from tests.integration.accounts_helpers import FORM, csrf_token_of, log_in, register
from tests.integration.conftest import json_body
from tests.integration.test_accounts_api import api, register_and_log_in


def _signed_in_lists(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    return cookie, csrf_token_of(client.get("/lists", headers={"Cookie": cookie}).body.decode())


def _post_raw(client, path, body: bytes, cookie, language):
    return client.post(path, headers={**FORM, "Cookie": cookie, "Accept-Language": language}, body=body)


def test_raw_invalid_utf8_is_refused_when_a_form_is_posted(client, app_module, aws_resources, outbox):
    # GIVEN a signed-in account holder on the lists page
    cookie, csrf = _signed_in_lists(client, app_module, aws_resources, outbox)
    # WHEN a list form arrives with a Latin-1 byte in it (not UTF-8)
    response = _post_raw(client, "/lists", f"csrf_token={csrf}&name=Caf".encode() + b"\xe9", cookie, "nl")
    # THEN a readable Dutch page says the form could not be read, and no list is stored
    page = response.body.decode()
    assert response.status_code == 400, page
    assert response.headers["Content-Type"].startswith("text/html")
    assert "UTF-8" in page and "formulier" in page
    assert "Caf" not in client.get("/lists", headers={"Cookie": cookie}).body.decode()


def test_percent_encoded_invalid_utf8_is_refused_when_a_form_is_posted(client, app_module, aws_resources, outbox):
    # GIVEN a signed-in account holder on the lists page
    cookie, csrf = _signed_in_lists(client, app_module, aws_resources, outbox)
    # WHEN a list form arrives whose name is percent-encoded bytes that are not UTF-8
    response = _post_raw(client, "/lists", f"csrf_token={csrf}&name=Caf%E9%FF".encode(), cookie, "en")
    # THEN an English page says so, and no list is stored (nothing became U+FFFD)
    page = response.body.decode()
    assert response.status_code == 400, page
    assert "not valid UTF-8" in page
    lists = client.get("/lists", headers={"Cookie": cookie}).body.decode()
    assert "Caf" not in lists and "\ufffd" not in lists


def test_invalid_utf8_is_refused_the_same_way_when_a_json_body_holds_it(client, app_module, aws_resources):
    # GIVEN a signed-in API caller
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    # WHEN a JSON body holds a byte that is not UTF-8
    response = client.post("/api/v1/lists", headers={"Content-Type": "application/json", "Cookie": cookie,
                                                     "X-CSRF-Token": session["csrf_token"], "Accept-Language": "en"},
                           body=b'{"name": "Caf\xe9"}')
    # THEN it is a 400 malformed-request problem that says what is wrong
    assert response.status_code == 400
    problem = json_body(response)
    assert problem["type"].endswith("/malformed-request") and "UTF-8" in problem["detail"]
    assert json_body(api(client, "GET", "/api/v1/lists", cookie=cookie)) == []
