"""Settings & Options and data rights through /api/v1, the same services as the pages."""


from tests.integration.accounts_helpers import PASSWORD, REGISTRATION, cookie_value, deliver_mail, mails_to, link_in
from tests.integration.test_accounts_api import api, register_and_log_in
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.conftest import json_body


def test_product_news_plan_and_devices_through_the_api(client, app_module, aws_resources):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    csrf = session["csrf_token"]
    assert api(client, "PUT", "/api/v1/me/product-news", {"opted_in": True}, cookie=cookie, csrf=csrf).status_code == 200
    assert json_body(api(client, "PUT", "/api/v1/me/plan", {"plan": "starter"}, cookie=cookie, csrf=csrf))["plan"] == "starter"
    assert api(client, "PUT", "/api/v1/me/plan", {"plan": "gold"}, cookie=cookie, csrf=csrf).status_code == 422
    assert json_body(api(client, "GET", "/api/v1/me/devices", cookie=cookie)) == []


def test_password_change_through_the_api_gives_a_new_session(client, app_module, aws_resources):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    response = api(client, "PUT", "/api/v1/me/password", {"current_password": PASSWORD,
                                                          "new_password": "another long password"},
                   cookie=cookie, csrf=session["csrf_token"])
    assert response.status_code == 200
    new_cookie = "__Host-session=" + cookie_value(response, "__Host-session")
    assert api(client, "GET", "/api/v1/me", cookie=cookie).status_code == 401
    assert api(client, "GET", "/api/v1/me", cookie=new_cookie).status_code == 200


def test_password_reset_through_the_api(client, app_module, aws_resources, outbox):
    register_and_log_in(client, app_module, aws_resources)
    assert api(client, "POST", "/api/v1/password-resets", {"email": REGISTRATION["email"]}).status_code == 202
    deliver_mail(app_module, aws_resources)
    [mail] = [m for m in mails_to(outbox, REGISTRATION["email"]) if m["tags"].get("template") == "reset_password"]
    token = link_in(mail, "/password/reset").split("token=")[1]
    assert api(client, "POST", "/api/v1/password-resets/confirm",
               {"token": token, "new_password": "brand new password"}).status_code == 204
    assert api(client, "POST", "/api/v1/session", {"email": REGISTRATION["email"],
                                                   "password": "brand new password"}).status_code == 200


def test_export_and_erasure_through_the_api(client, app_module, aws_resources):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    csrf = session["csrf_token"]
    export = json_body(api(client, "POST", "/api/v1/me/exports", cookie=cookie, csrf=csrf))
    assert export["status"] == "queued" and export["download_url"] is None
    run_background_jobs(app_module, aws_resources)
    ready = json_body(api(client, "GET", f"/api/v1/me/exports/{export['export_id']}", cookie=cookie))
    assert ready["status"] == "ready" and ready["progress"] == 100 and ready["download_url"]
    refused = api(client, "DELETE", "/api/v1/me", {"password": PASSWORD, "confirm": False}, cookie=cookie, csrf=csrf)
    assert refused.status_code == 422
    assert api(client, "DELETE", "/api/v1/me", {"password": PASSWORD, "confirm": True}, cookie=cookie,
               csrf=csrf).status_code == 204
    assert api(client, "POST", "/api/v1/session", {"email": REGISTRATION["email"], "password": PASSWORD}).status_code == 401


def test_deactivation_and_reactivation_through_the_api(client, app_module, aws_resources):
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    assert api(client, "POST", "/api/v1/me/deactivation", {"password": PASSWORD}, cookie=cookie,
               csrf=session["csrf_token"]).status_code == 204
    again = api(client, "POST", "/api/v1/session", {"email": REGISTRATION["email"], "password": PASSWORD})
    again_cookie = "__Host-session=" + cookie_value(again, "__Host-session")
    assert json_body(again)["account"]["status"] == "deactivated"
    reactivated = api(client, "POST", "/api/v1/me/reactivation", cookie=again_cookie,
                      csrf=json_body(again)["csrf_token"])
    assert json_body(reactivated)["status"] == "active"
