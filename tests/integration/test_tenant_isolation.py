"""Tenant isolation: every account-scoped route is scoped by the caller's session, never by an id in
the request. Each route that takes an id is tried with another account's id and must answer 404."""

import json

from tests.integration.accounts_helpers import (PASSWORD, REGISTRATION, cookie_value, csrf_token_of, log_in,
                                                post_form, register)
from tests.integration.test_data_rights import run_background_jobs

JSON = {"Content-Type": "application/json"}

# Every route with an id in its path, and how this suite tries it with Anna's id as Bob.
COVERED = {
    "/settings/exports/{export_id}": "GET",
    "/api/v1/me/exports/{export_id}": "GET",
    "/api/v1/me/devices/{device_id}": "DELETE",
}
NOT_ACCOUNT_SCOPED = {"/static/{name}", "/{proxy+}", "/dev/outbox/{message_id}", "/dev/outbox/{message_id}/html",
                      "/dev/jobs/{name}"}


def test_every_route_with_an_id_is_covered_here(app_module):
    with_ids = {path for path in app_module.app.routes if "{" in path} - NOT_ACCOUNT_SCOPED
    assert with_ids == set(COVERED), "add the new route to this suite"


def test_another_accounts_ids_are_not_found(client, app_module, aws_resources, outbox):
    # GIVEN Anna with an export and a remembered device
    register(client, app_module, aws_resources, outbox)
    anna = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD, "remember_me": "on"})
    anna_session = "__Host-session=" + cookie_value(anna, "__Host-session")
    annas_device = cookie_value(anna, "__Host-remember").split(".")[0]
    csrf = csrf_token_of(client.get("/settings", headers={"Cookie": anna_session}).body.decode())
    post_form(client, "/settings/export", {"csrf_token": csrf}, cookie=anna_session)
    run_background_jobs(app_module, aws_resources)
    page = client.get("/settings", headers={"Cookie": anna_session}).body.decode()
    annas_export = page.split('href="/settings/exports/', 1)[1].split('"', 1)[0]
    # AND Bob, signed in through the API
    register(client, app_module, aws_resources, outbox, email="bob@example.nl")
    bob = client.post("/api/v1/session", headers=JSON,
                      body=json.dumps({"email": "bob@example.nl", "password": PASSWORD}).encode())
    bob_cookie = "__Host-session=" + cookie_value(bob, "__Host-session")
    bob_csrf = json.loads(bob.body)["csrf_token"]
    headers = {"Cookie": bob_cookie, "X-CSRF-Token": bob_csrf, **JSON}
    # WHEN Bob uses Anna's ids on every route that takes one
    answers = {
        "/settings/exports/{export_id}": client.get(f"/settings/exports/{annas_export}", headers=headers),
        "/api/v1/me/exports/{export_id}": client.get(f"/api/v1/me/exports/{annas_export}", headers=headers),
        "/api/v1/me/devices/{device_id}": client.request("DELETE", f"/api/v1/me/devices/{annas_device}",
                                                         headers=headers, body=b""),
    }
    # THEN each answers 404, and Anna's things are untouched
    assert {route: r.status_code for route, r in answers.items()} == {route: 404 for route in COVERED}
    remembered = cookie_value(anna, "__Host-remember")
    assert client.get("/app", headers={"Cookie": f"__Host-remember={remembered}"}).status_code == 200
    assert client.get(f"/settings/exports/{annas_export}", headers={"Cookie": anna_session}).status_code == 303
