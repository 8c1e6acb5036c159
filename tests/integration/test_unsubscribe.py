"""P4 and RFC 8058: one-click unsubscribe by POST, never by GET; signed links; preferences."""

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list, confirmation_token, members, sign_up

ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


def subscribed_piet(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    sign_up(client, app_module, aws_resources, list_id, "piet@example.org")
    post_form(client, "/f/confirm", {"token": confirmation_token(outbox, "piet@example.org")})
    [member] = members(aws_resources, list_id)
    from chalicelib.composition import services

    account_id = member["pk"].removeprefix("ACCOUNT#")
    headers = dict(services().audience_service.unsubscribe_headers(account_id, member["contact_id"], list_id))
    return list_id, headers, account_id


def test_every_campaign_mail_gets_the_rfc_8058_headers(client, app_module, aws_resources, outbox):
    _, headers, _ = subscribed_piet(client, app_module, aws_resources, outbox)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/u/") and headers["List-Unsubscribe"].endswith(">")


def test_one_click_post_without_cookies_unsubscribes_at_once(client, app_module, aws_resources, outbox):
    list_id, headers, _ = subscribed_piet(client, app_module, aws_resources, outbox)
    path = headers["List-Unsubscribe"].strip("<>").split("127.0.0.1:8000", 1)[1]
    # WHEN the mailbox provider posts the one-click body, with no cookies
    response = client.post(path, headers=ONE_CLICK, body=b"List-Unsubscribe=One-Click")
    # THEN he is unsubscribed before the answer
    assert response.status_code == 200
    assert members(aws_resources, list_id) == [] and len(members(aws_resources, list_id, "unsubscribed")) == 1


def test_get_never_unsubscribes(client, app_module, aws_resources, outbox):
    list_id, headers, _ = subscribed_piet(client, app_module, aws_resources, outbox)
    path = headers["List-Unsubscribe"].strip("<>").split("127.0.0.1:8000", 1)[1]
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Yes, unsubscribe me" in page.body.decode()
    assert len(members(aws_resources, list_id)) == 1


def test_forged_or_altered_token_is_refused(client, app_module, aws_resources, outbox):
    list_id, headers, _ = subscribed_piet(client, app_module, aws_resources, outbox)
    path = headers["List-Unsubscribe"].strip("<>").split("127.0.0.1:8000", 1)[1]
    payload, signature = path.removeprefix("/u/").split(".")
    altered = "/u/" + payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    for bad in (altered, "/u/forged.token", "/u/" + payload + "." + signature[::-1], "/u/nodot"):
        assert client.post(bad, headers=ONE_CLICK, body=b"List-Unsubscribe=One-Click").status_code == 400, bad
        assert client.get(bad).status_code == 400, bad
    assert len(members(aws_resources, list_id)) == 1


def test_leaving_everything_suppresses_the_address_and_stops_re_adding(client, app_module, aws_resources, outbox):
    list_id, headers, account_id = subscribed_piet(client, app_module, aws_resources, outbox)
    from chalicelib.composition import services

    everything = services().audience_service.unsubscribe_token(account_id, members(aws_resources, list_id)[0]["contact_id"])
    page = client.get(f"/u/{everything}/preferences").body.decode()
    assert "Nieuwsbrief" in page
    assert post_form(client, f"/u/{everything}/preferences", {"leave": "*"}).status_code == 200
    assert services().audience_service.is_suppressed(account_id, "piet@example.org")
    # AND the account holder cannot simply add him again
    from tests.integration.accounts_helpers import csrf_token_of, log_in

    cookie = log_in(client)
    csrf = csrf_token_of(client.get("/lists", headers={"Cookie": cookie}).body.decode())
    response = post_form(client, f"/lists/{list_id}/contacts", {
        "csrf_token": csrf, "email": "piet@example.org", "lawful_basis": "he said so"}, cookie=cookie)
    assert response.headers["Location"].endswith("notice=not-subscribed")
    assert members(aws_resources, list_id) == []


def test_person_may_sign_up_again_after_unsubscribing_through_double_opt_in(client, app_module, aws_resources, outbox):
    list_id, headers, account_id = subscribed_piet(client, app_module, aws_resources, outbox)
    path = headers["List-Unsubscribe"].strip("<>").split("127.0.0.1:8000", 1)[1]
    client.post(path, headers=ONE_CLICK, body=b"List-Unsubscribe=One-Click")
    sign_up(client, app_module, aws_resources, list_id, "piet@example.org")
    from tests.integration.accounts_helpers import mails_to

    confirmations = [m for m in mails_to(outbox, "piet@example.org") if "/f/confirm" in (m["text"] or "")]
    assert len(confirmations) == 2  # he asked again himself
    newest = confirmations[0]["text"].split("/f/confirm?token=")[1].split()[0]
    assert post_form(client, "/f/confirm", {"token": newest}).status_code == 200
    assert len(members(aws_resources, list_id)) == 1


def test_unsubscribing_never_weakens_a_hard_bounce(client, app_module, aws_resources, outbox):
    # Found by the hypothesis invariant: bounce, then unsubscribe-all, then a confirmed sign-up
    # must not make the bounced address a recipient again.
    from chalicelib.composition import services
    from chalicelib.audience.audience import SuppressionReason

    list_id, _, account_id = subscribed_piet(client, app_module, aws_resources, outbox)
    service = services().audience_service
    service.suppress(account_id, "piet@example.org", SuppressionReason.HARD_BOUNCE, "ses bounce")
    contact_id = services().audience.contact_by_email(account_id, "piet@example.org").contact_id
    service.unsubscribe(service.unsubscribe_token(account_id, contact_id), None)
    assert services().audience.suppression(account_id, "piet@example.org").reason is SuppressionReason.HARD_BOUNCE
    assert [c.email for c in service.recipients(account_id, list_id)] == []
