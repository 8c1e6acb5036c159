"""Passwords: change (ends every session and remembered device), reset by a single-use link, alerts."""

from tests.integration.accounts_helpers import (PASSWORD, REGISTRATION, cookie_value, csrf_token_of, deliver_mail,
                                                link_in, log_in, mails_to, post_form, register)

NEW_PASSWORD = "a new sentence that is long enough"


def test_changing_the_password_ends_other_sessions_and_remembered_devices(client, app_module, aws_resources, outbox):
    # GIVEN Anna signed in on two devices, one of them remembered
    register(client, app_module, aws_resources, outbox)
    other = post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD, "remember_me": "on"})
    other_session = "__Host-session=" + cookie_value(other, "__Host-session")
    remembered = cookie_value(other, "__Host-remember")
    here = log_in(client)
    page = client.get("/settings", headers={"Cookie": here}).body.decode()
    # WHEN she changes her password here
    response = post_form(client, "/settings/password", {"csrf_token": csrf_token_of(page), "current_password": PASSWORD,
                                                        "new_password": NEW_PASSWORD}, cookie=here)
    assert response.status_code == 303
    new_here = "__Host-session=" + cookie_value(response, "__Host-session")
    # THEN she stays signed in here with a new session, and everything else is signed out
    assert client.get("/app", headers={"Cookie": new_here}).status_code == 200
    for cookie in (here, other_session, f"__Host-remember={remembered}"):
        assert client.get("/app", headers={"Cookie": cookie}).status_code == 303
    # AND the new password works, the old one does not, and she got an alert
    assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": NEW_PASSWORD}).status_code == 303
    assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD}).status_code == 401
    deliver_mail(app_module, aws_resources)
    assert any(m["tags"].get("template") == "security_alert" for m in mails_to(outbox, REGISTRATION["email"]))


def test_wrong_current_password_changes_nothing(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    here = log_in(client)
    page = client.get("/settings", headers={"Cookie": here}).body.decode()
    response = post_form(client, "/settings/password", {"csrf_token": csrf_token_of(page), "current_password": "guess",
                                                        "new_password": NEW_PASSWORD}, cookie=here)
    assert response.status_code == 403
    assert 'id="current_password-error"' in response.body.decode()
    assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD}).status_code == 303


def test_too_short_new_password_is_refused_with_a_reason(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    here = log_in(client)
    page = client.get("/settings", headers={"Cookie": here}).body.decode()
    response = post_form(client, "/settings/password", {"csrf_token": csrf_token_of(page), "current_password": PASSWORD,
                                                        "new_password": "short"}, cookie=here,
                         headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Use at least 8 characters." in response.body.decode()


def test_password_reset_by_mail_works_once(client, app_module, aws_resources, outbox):
    # GIVEN Anna forgot her password and asked for a link
    register(client, app_module, aws_resources, outbox)
    remembered = cookie_value(post_form(client, "/login", {"email": REGISTRATION["email"], "password": PASSWORD,
                                                           "remember_me": "on"}), "__Host-remember")
    assert post_form(client, "/password/forgot", {"email": REGISTRATION["email"]}).status_code == 200
    deliver_mail(app_module, aws_resources)
    [mail] = [m for m in mails_to(outbox, REGISTRATION["email"]) if m["tags"].get("template") == "reset_password"]
    token = link_in(mail, "/password/reset").split("token=")[1]
    # WHEN she sets a new one through the link
    response = post_form(client, "/password/reset", {"token": token, "new_password": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/login?notice=password-changed"
    # THEN the new password works, the remembered device is signed out, and the link is used up
    assert post_form(client, "/login", {"email": REGISTRATION["email"], "password": NEW_PASSWORD}).status_code == 303
    assert client.get("/app", headers={"Cookie": f"__Host-remember={remembered}"}).status_code == 303
    again = post_form(client, "/password/reset", {"token": token, "new_password": "yet another long password"})
    assert again.status_code == 400


def test_reset_request_answer_is_the_same_for_unknown_addresses(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    known = post_form(client, "/password/forgot", {"email": REGISTRATION["email"]}).body.decode()
    unknown = post_form(client, "/password/forgot", {"email": "nobody@example.nl"}).body.decode()
    assert known.replace(REGISTRATION["email"], "X") == unknown.replace("nobody@example.nl", "X")
    deliver_mail(app_module, aws_resources)
    assert mails_to(outbox, "nobody@example.nl") == []


def test_expired_reset_link_is_refused(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    post_form(client, "/password/forgot", {"email": REGISTRATION["email"]})
    deliver_mail(app_module, aws_resources)
    [mail] = [m for m in mails_to(outbox, REGISTRATION["email"]) if m["tags"].get("template") == "reset_password"]
    token = link_in(mail, "/password/reset").split("token=")[1]
    table = aws_resources.resource("dynamodb").Table("mailexpert-auth")
    [link] = [i for i in table.scan()["Items"] if i["pk"].startswith("LINK#") and i["purpose"] == "reset-password"]
    table.update_item(Key={"pk": link["pk"]}, UpdateExpression="SET valid_until = :t",
                      ExpressionAttributeValues={":t": 1})
    response = post_form(client, "/password/reset", {"token": token, "new_password": NEW_PASSWORD},
                         headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "expired" in response.body.decode()
