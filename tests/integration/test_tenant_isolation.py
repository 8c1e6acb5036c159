"""Tenant isolation: every account-scoped route is scoped by the caller's session, never by an id in
the request. Each route that takes an id is tried with another account's id and must answer 404."""

import json

from tests.integration.accounts_helpers import (PASSWORD, REGISTRATION, cookie_value, csrf_token_of, post_form, register)
from tests.integration.test_data_rights import run_background_jobs

JSON = {"Content-Type": "application/json"}

# Every route with an id in its path, and how this suite tries it with Anna's id as Bob.
COVERED = {
    "/settings/exports/{export_id}": "GET",
    "/api/v1/me/exports/{export_id}": "GET",
    "/api/v1/me/devices/{device_id}": "DELETE",
    "/lists/{list_id}": "GET",
    "/lists/{list_id}/contacts": "POST",
    "/contacts/{contact_id}": "GET+POST",
    "/contacts/{contact_id}/lists": "POST",
    "/contacts/{contact_id}/lists/{list_id}/remove": "POST",
    "/api/v1/lists/{list_id}": "GET",
    "/api/v1/lists/{list_id}/members": "GET",
    "/api/v1/lists/{list_id}/contacts": "POST",
    "/api/v1/contacts/{contact_id}": "GET",
    "/contacts/{contact_id}/export": "GET",
    "/contacts/{contact_id}/erase": "POST",
    "/api/v1/contacts/{contact_id}/data": "GET",
    "/lists/{list_id}/export": "POST",
    "/api/v1/lists/{list_id}/exports": "POST",
    "/lists/{list_id}/imports": "GET",
    "/lists/{list_id}/imports/{import_id}": "GET+POST",
    "/lists/{list_id}/imports/{import_id}/uploaded": "GET",
    "/lists/{list_id}/imports/{import_id}/report": "GET",
    "/api/v1/lists/{list_id}/imports": "POST",
    "/api/v1/imports/{import_id}": "GET",
    "/api/v1/imports/{import_id}/start": "POST",
    "/api/v1/imports/{import_id}/report": "GET",
    "/fields/{key}/delete": "POST",
    "/api/v1/fields/{key}": "DELETE",
    "/lists/{list_id}/segments": "GET+POST",
    "/lists/{list_id}/segment-count": "POST",
    "/lists/{list_id}/segments/{segment_id}": "GET",
    "/lists/{list_id}/segments/{segment_id}/export": "POST",
    "/lists/{list_id}/segments/{segment_id}/delete": "POST",
    "/api/v1/lists/{list_id}/segments": "GET+POST",
    "/api/v1/segments/{segment_id}": "GET+PUT+DELETE",
    "/api/v1/segments/{segment_id}/members": "GET",
    "/api/v1/segments/{segment_id}/exports": "POST",
}
# Public by design: the id or signed token in the address is the key (sign-up forms, unsubscribe links).
NOT_ACCOUNT_SCOPED = {"/static/{name}", "/{proxy+}", "/dev/outbox/{message_id}", "/dev/outbox/{message_id}/html",
                      "/dev/jobs/{name}", "/f/{list_id}", "/u/{token}", "/u/{token}/preferences",
                      "/t/o/{token}", "/t/c/{token}", "/i/{name}", "/news/unsubscribe/{token}",
                      "/staff/partner-statistics/{export}/{fmt}"}  # staff only, aggregates of no one account
# Templates, images and campaigns: tried in test_another_accounts_campaigns_are_not_found.
CAMPAIGN_ROUTES = {
    "/templates/{template_id}": "GET+POST",
    "/templates/{template_id}/preview": "GET",
    "/templates/{template_id}/test": "POST",
    "/templates/{template_id}/delete": "POST",
    "/images/{asset}/delete": "POST",
    "/images/{asset}/thumbnail": "GET",
    "/campaigns/{campaign_id}": "GET+POST",
    "/campaigns/{campaign_id}/schedule": "POST",
    "/campaigns/{campaign_id}/{action}": "POST",
    "/campaigns/{campaign_id}/cancel": "POST",
    "/api/v1/templates/{template_id}": "PUT",
    "/api/v1/templates/{template_id}/preview": "GET",
    "/api/v1/images/{upload_id}/finish": "POST",
    "/api/v1/campaigns/{campaign_id}": "GET",
    "/api/v1/campaigns/{campaign_id}/schedule": "POST",
    "/api/v1/campaigns/{campaign_id}/pause": "POST",
    "/api/v1/campaigns/{campaign_id}/resume": "POST",
    "/api/v1/campaigns/{campaign_id}/cancel": "POST",
    "/api/v1/campaigns/{campaign_id}/test": "POST",
}
# Sending domains: tried in test_another_accounts_sending_domains_are_not_found.
DOMAIN_ROUTES = {
    "/domains/{domain}": "GET",
    "/domains/{domain}/check": "POST",
    "/domains/{domain}/delete": "POST",
    "/dev/sending-domains/{domain}/verify": "POST",
    "/domains/{domain}/mail-from": "POST",
    "/api/v1/domains/{domain}": "GET+DELETE",
    "/api/v1/domains/{domain}/mail-from": "PUT",
    "/api/v1/domains/{domain}/check": "POST",
}

# Testimonials: the customer's own, tried in test_another_accounts_testimonials_are_not_found; the public
# photo of a published one is public by design, and staff's pages reach every account's (staff only:
# tests/integration/test_testimonial_staff_pages.py).
TESTIMONIAL_ROUTES = {
    "/settings/testimonials/photos/{photo_id}": "GET",
    "/settings/testimonials/{testimonial_id}/withdraw": "POST",
    "/settings/testimonials/{testimonial_id}/accept": "POST",
    "/settings/testimonials/{testimonial_id}/decline": "POST",
}
NOT_ACCOUNT_SCOPED |= {"/testimonials/{testimonial_id}/photo", "/staff/testimonials/{testimonial_id}",
                       "/staff/testimonials/{testimonial_id}/photo", "/staff/testimonials/{testimonial_id}/publish",
                       "/staff/testimonials/{testimonial_id}/unpublish", "/staff/testimonials/{testimonial_id}/propose",
                       "/staff/testimonials/{testimonial_id}/withdraw"}
# Policy versions are MailExpert's own, the same for every account; a dismissal is the caller's own.
NOT_ACCOUNT_SCOPED |= {"/staff/policy/{number}", "/staff/policy/{number}/announce", "/staff/policy/{number}/withdraw",
                       "/privacy/dismiss/{number}"}


def test_every_route_with_an_id_is_covered_here(app_module):
    with_ids = {path for path in app_module.app.routes if "{" in path} - NOT_ACCOUNT_SCOPED
    assert with_ids == set(COVERED) | set(CAMPAIGN_ROUTES) | set(DOMAIN_ROUTES) | set(TESTIMONIAL_ROUTES), \
        "add the new route to this suite"


def test_another_accounts_testimonials_are_not_found(client, app_module, aws_resources, outbox):
    from tests.integration.testimonial_helpers import (customer, only_testimonial_of, photo_bytes, staff, submit,
                                                       upload_photo)

    # GIVEN Anna's testimonial with her photo, and a change proposed to it
    anna_cookie, anna_csrf = customer(client, app_module, aws_resources, outbox)
    uploaded = upload_photo(client, anna_cookie, aws_resources, photo_bytes())
    photo_id = uploaded.headers["Location"].split("photo=", 1)[1].split("#", 1)[0]
    submit(client, anna_cookie, anna_csrf, photo_id=photo_id, show_photo="on")
    annas = only_testimonial_of()
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    post_form(client, f"/staff/testimonials/{annas.testimonial_id}/propose",
              {"csrf_token": staff_csrf, "text": "Changed.", "name": "Anna"}, staff_cookie)
    digest = only_testimonial_of().proposal.digest
    # AND Bob, signed in
    bob_cookie, bob_csrf = customer(client, app_module, aws_resources, outbox, email="bob@example.nl")
    # WHEN Bob uses Anna's ids
    tid = annas.testimonial_id
    answers = {
        "/settings/testimonials/photos/{photo_id}": client.get(f"/settings/testimonials/photos/{photo_id}",
                                                               headers={"Cookie": bob_cookie}),
        **{f"/settings/testimonials/{{testimonial_id}}/{action}": post_form(
            client, f"/settings/testimonials/{tid}/{action}", {"csrf_token": bob_csrf, "digest": digest}, bob_cookie)
           for action in ("accept", "decline", "withdraw")},
    }
    # THEN each is not found, and Anna's testimonial is as it was
    assert set(answers) == set(TESTIMONIAL_ROUTES)
    assert {path: r.status_code for path, r in answers.items()} == {path: 404 for path in answers}
    assert only_testimonial_of().proposal is not None and only_testimonial_of().withdrawal is None
    assert client.get(f"/settings/testimonials/photos/{photo_id}", headers={"Cookie": anna_cookie}).status_code == 302


def test_another_accounts_campaigns_are_not_found(client, app_module, aws_resources, outbox):
    from tests.integration.audience_helpers import account_with_list
    from tests.integration.test_campaign_flow import _campaign_with_template
    from tests.integration.test_data_rights import _upload_an_image

    # GIVEN Anna with a template, a campaign and an image, and Bob signed in
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    page = client.get("/templates", headers={"Cookie": cookie}).body.decode()
    template_id = page.split('<td><a href="/templates/', 1)[1].split('"', 1)[0]
    _upload_an_image(aws_resources, client, cookie)
    image = client.get("/images", headers={"Cookie": cookie}).body.decode().split('action="/images/', 1)[1].split(
        "/delete", 1)[0]
    upload_id = json.loads(client.post("/api/v1/images", headers={"Cookie": cookie, "X-CSRF-Token": csrf,
                                                                   **JSON}, body=b"").body)["upload_id"]
    bob_cookie, bob_csrf, _ = account_with_list(client, app_module, aws_resources, outbox, email="bob@example.nl")
    headers = {"Cookie": bob_cookie, "X-CSRF-Token": bob_csrf, **JSON}
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    token = f"csrf_token={bob_csrf}".encode()
    ticked = token + b"&confirmed=yes"  # a destructive post with its "Yes, I am sure" tick
    template_body = json.dumps({"name": "x", "subject": "x", "html": "<p>x</p>"}).encode()
    # WHEN Bob uses Anna's ids
    answers = {
        "/templates/{template_id}": client.get(f"/templates/{template_id}", headers=headers),
        "/templates/{template_id} POST": client.post(f"/templates/{template_id}", headers=form,
                                                     body=token + b"&name=x&subject=x&html=x"),
        "/templates/{template_id}/preview": client.get(f"/templates/{template_id}/preview", headers=headers),
        "/templates/{template_id}/test": client.post(f"/templates/{template_id}/test", headers=form, body=token),
        "/templates/{template_id}/delete": client.post(f"/templates/{template_id}/delete", headers=form, body=ticked),
        "/images/{asset}/delete": client.post(f"/images/{image}/delete", headers=form, body=ticked),
        "/images/{asset}/thumbnail": client.get(f"/images/{image}/thumbnail", headers={**headers, "Accept": "*/*"}),
        "/campaigns/{campaign_id}": client.get(f"/campaigns/{campaign_id}", headers=headers),
        "/campaigns/{campaign_id} POST": client.post(f"/campaigns/{campaign_id}", headers=form,
                                                     body=token + f"&name=x&list_id={list_id}".encode()),
        "/campaigns/{campaign_id}/schedule": client.post(f"/campaigns/{campaign_id}/schedule", headers=form,
                                                         body=token + b"&when=now"),
        "/campaigns/{campaign_id}/{action}": client.post(f"/campaigns/{campaign_id}/pause", headers=form, body=token),
        "/campaigns/{campaign_id}/cancel": client.post(f"/campaigns/{campaign_id}/cancel", headers=form, body=ticked),
        "/api/v1/templates/{template_id}": client.put(f"/api/v1/templates/{template_id}", headers=headers,
                                                      body=template_body),
        "/api/v1/templates/{template_id}/preview": client.get(f"/api/v1/templates/{template_id}/preview",
                                                              headers=headers),
        "/api/v1/images/{upload_id}/finish": client.post(f"/api/v1/images/{upload_id}/finish", headers=headers,
                                                         body=b""),
        "/api/v1/campaigns/{campaign_id}": client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers),
        "/api/v1/campaigns/{campaign_id}/schedule": client.post(f"/api/v1/campaigns/{campaign_id}/schedule",
                                                                headers=headers, body=b"{}"),
        "/api/v1/campaigns/{campaign_id}/pause": client.post(f"/api/v1/campaigns/{campaign_id}/pause",
                                                             headers=headers, body=b""),
        "/api/v1/campaigns/{campaign_id}/resume": client.post(f"/api/v1/campaigns/{campaign_id}/resume",
                                                              headers=headers, body=b""),
        "/api/v1/campaigns/{campaign_id}/cancel": client.post(f"/api/v1/campaigns/{campaign_id}/cancel",
                                                              headers=headers, body=b""),
        "/api/v1/campaigns/{campaign_id}/test": client.post(f"/api/v1/campaigns/{campaign_id}/test",
                                                            headers=headers, body=b""),
    }
    # THEN each answers 404, and Anna's things are untouched
    assert {route: r.status_code for route, r in answers.items()} == {route: 404 for route in answers}
    assert client.get(f"/campaigns/{campaign_id}", headers={"Cookie": cookie}).status_code == 200
    assert client.get(f"/templates/{template_id}", headers={"Cookie": cookie}).status_code == 200
    assert client.get(f"/i/{image}").status_code == 302


def test_another_accounts_sending_domains_are_not_found(client, app_module, aws_resources, outbox):
    from tests.integration.audience_helpers import account_with_list

    # GIVEN Anna with a sending domain, and Bob signed in
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    domain = "nieuws.bakkerij-jansen.nl"
    added = client.post("/api/v1/domains", headers={"Cookie": cookie, "X-CSRF-Token": csrf, **JSON},
                        body=json.dumps({"domain": domain}).encode())
    assert added.status_code == 201, added.body
    bob_cookie, bob_csrf, _ = account_with_list(client, app_module, aws_resources, outbox, email="bob@example.nl")
    headers = {"Cookie": bob_cookie, "X-CSRF-Token": bob_csrf, **JSON}
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    token = f"csrf_token={bob_csrf}".encode()
    # WHEN Bob uses Anna's domain (deleting it with the "Yes, I am sure" tick)
    answers = {
        "/domains/{domain}": client.get(f"/domains/{domain}", headers=headers),
        "/domains/{domain}/check": client.post(f"/domains/{domain}/check", headers=form, body=token),
        "/domains/{domain}/delete": client.post(f"/domains/{domain}/delete", headers=form,
                                                body=token + b"&confirmed=yes"),
        "/dev/sending-domains/{domain}/verify": client.post(f"/dev/sending-domains/{domain}/verify", headers=form,
                                                            body=token),
        "/api/v1/domains/{domain}": client.get(f"/api/v1/domains/{domain}", headers=headers),
        "/api/v1/domains/{domain} DELETE": client.delete(f"/api/v1/domains/{domain}", headers=headers),
        "/api/v1/domains/{domain}/check": client.post(f"/api/v1/domains/{domain}/check", headers=headers, body=b""),
        "/domains/{domain}/mail-from": client.post(f"/domains/{domain}/mail-from", headers=form,
                                                   body=token + b"&mail_from=bounce"),
        "/api/v1/domains/{domain}/mail-from": client.put(f"/api/v1/domains/{domain}/mail-from", headers=headers,
                                                         body=json.dumps({"subdomain": "bounce"}).encode()),
    }
    # THEN each answers 404, and Anna's domain is untouched, still only hers
    assert {route: r.status_code for route, r in answers.items()} == {route: 404 for route in answers}
    mine = json.loads(client.get(f"/api/v1/domains/{domain}", headers={"Cookie": cookie}).body)
    assert mine["status"] == "pending"
    assert aws_resources.client("sesv2").get_email_identity(EmailIdentity=domain)


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
    annas_list = client.post("/lists", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                "Cookie": anna_session},
                             body=f"csrf_token={csrf}&name=Klanten".encode()).headers["Location"].rsplit("/", 1)[1]
    client.post(f"/lists/{annas_list}/contacts", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                          "Cookie": anna_session},
                body=f"csrf_token={csrf}&email=klant%40example.org&lawful_basis=shop".encode())
    annas_contact = page_contact_id(client, anna_session)
    annas_import = client.get(f"/lists/{annas_list}/imports", headers={"Cookie": anna_session}).body.decode().split(
        "/imports/", 1)[1].split("/uploaded", 1)[0]
    post_form(client, "/fields", {"csrf_token": csrf, "label": "City", "field_type": "text"}, cookie=anna_session)
    annas_segment = post_form(client, f"/lists/{annas_list}/segments", {
        "csrf_token": csrf, "name": "Utrecht", "match": "all", "condition_0_field": "field:city",
        "condition_0_op": "equals", "condition_0_value": "Utrecht"}, cookie=anna_session).headers["Location"].rsplit(
        "/", 1)[1]
    # AND Bob, signed in through the API
    register(client, app_module, aws_resources, outbox, email="bob@example.nl")
    bob = client.post("/api/v1/session", headers=JSON,
                      body=json.dumps({"email": "bob@example.nl", "password": PASSWORD}).encode())
    bob_cookie = "__Host-session=" + cookie_value(bob, "__Host-session")
    bob_csrf = json.loads(bob.body)["csrf_token"]
    headers = {"Cookie": bob_cookie, "X-CSRF-Token": bob_csrf, **JSON}
    # WHEN Bob uses Anna's ids on every route that takes one (destructive posts with their tick)
    answers = {
        "/settings/exports/{export_id}": client.get(f"/settings/exports/{annas_export}", headers=headers),
        "/api/v1/me/exports/{export_id}": client.get(f"/api/v1/me/exports/{annas_export}", headers=headers),
        "/api/v1/me/devices/{device_id}": client.request("DELETE", f"/api/v1/me/devices/{annas_device}",
                                                         headers=headers, body=b""),
        "/lists/{list_id}": client.get(f"/lists/{annas_list}", headers=headers),
        "/lists/{list_id}/contacts": client.post(
            f"/lists/{annas_list}/contacts", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&email=x%40example.org&lawful_basis=x".encode()),
        "/contacts/{contact_id}": client.get(f"/contacts/{annas_contact}", headers=headers),
        "/contacts/{contact_id}/lists": client.post(
            f"/contacts/{annas_contact}/lists", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&list_id={annas_list}&lawful_basis=x".encode()),
        "/contacts/{contact_id}/lists/{list_id}/remove": client.post(
            f"/contacts/{annas_contact}/lists/{annas_list}/remove",
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&confirmed=yes".encode()),
        "/api/v1/lists/{list_id}": client.get(f"/api/v1/lists/{annas_list}", headers=headers),
        "/api/v1/lists/{list_id}/members": client.get(f"/api/v1/lists/{annas_list}/members", headers=headers),
        "/api/v1/lists/{list_id}/contacts": client.post(f"/api/v1/lists/{annas_list}/contacts", headers=headers,
                                                        body=json.dumps({"email": "x@example.org"}).encode()),
        "/api/v1/contacts/{contact_id}": client.get(f"/api/v1/contacts/{annas_contact}", headers=headers),
        "/contacts/{contact_id}/export": client.get(f"/contacts/{annas_contact}/export", headers=headers),
        "/api/v1/contacts/{contact_id}/data": client.get(f"/api/v1/contacts/{annas_contact}/data", headers=headers),
        "/lists/{list_id}/export": client.post(
            f"/lists/{annas_list}/export", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}".encode()),
        "/api/v1/lists/{list_id}/exports": client.post(f"/api/v1/lists/{annas_list}/exports", headers=headers,
                                                       body=b""),
        "/contacts/{contact_id}/erase": client.post(
            f"/contacts/{annas_contact}/erase", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&confirmed=yes".encode()),
        "/lists/{list_id}/imports": client.get(f"/lists/{annas_list}/imports", headers=headers),
        "/lists/{list_id}/imports/{import_id}": client.get(f"/lists/{annas_list}/imports/{annas_import}",
                                                           headers=headers),
        "/lists/{list_id}/imports/{import_id}/uploaded": client.get(
            f"/lists/{annas_list}/imports/{annas_import}/uploaded", headers=headers),
        "/lists/{list_id}/imports/{import_id}/report": client.get(
            f"/lists/{annas_list}/imports/{annas_import}/report", headers=headers),
        "/api/v1/lists/{list_id}/imports": client.post(f"/api/v1/lists/{annas_list}/imports", headers=headers,
                                                       body=b""),
        "/api/v1/imports/{import_id}": client.get(f"/api/v1/imports/{annas_import}", headers=headers),
        "/api/v1/imports/{import_id}/start": client.post(
            f"/api/v1/imports/{annas_import}/start", headers=headers,
            body=json.dumps({"mapping": {"0": "email"}, "declared": True, "lawful_basis": "x"}).encode()),
        "/api/v1/imports/{import_id}/report": client.get(f"/api/v1/imports/{annas_import}/report", headers=headers),
        "/fields/{key}/delete": client.post(
            "/fields/city/delete", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&confirmed=yes".encode()),
        "/api/v1/fields/{key}": client.request("DELETE", "/api/v1/fields/city", headers=headers, body=b""),
        "/lists/{list_id}/segments": client.get(f"/lists/{annas_list}/segments", headers=headers),
        "/lists/{list_id}/segment-count": client.post(
            f"/lists/{annas_list}/segment-count", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&match=all".encode()),
        "/lists/{list_id}/segments/{segment_id}": client.get(f"/lists/{annas_list}/segments/{annas_segment}",
                                                             headers=headers),
        "/lists/{list_id}/segments/{segment_id}/export": client.post(
            f"/lists/{annas_list}/segments/{annas_segment}/export",
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}".encode()),
        "/lists/{list_id}/segments/{segment_id}/delete": client.post(
            f"/lists/{annas_list}/segments/{annas_segment}/delete",
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&confirmed=yes".encode()),
        "/api/v1/lists/{list_id}/segments": client.get(f"/api/v1/lists/{annas_list}/segments", headers=headers),
        "/api/v1/segments/{segment_id}": client.get(f"/api/v1/segments/{annas_segment}", headers=headers),
        "/api/v1/segments/{segment_id}/members": client.get(f"/api/v1/segments/{annas_segment}/members",
                                                            headers=headers),
        "/api/v1/segments/{segment_id}/exports": client.post(f"/api/v1/segments/{annas_segment}/exports",
                                                             headers=headers, body=b""),
    }
    segment_body = json.dumps({"name": "x", "conditions": []}).encode()
    also = {
        "create a segment on Anna's list (page)": client.post(
            f"/lists/{annas_list}/segments", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&name=x&match=all".encode()),
        "create a segment on Anna's list (API)": client.post(f"/api/v1/lists/{annas_list}/segments", headers=headers,
                                                              body=segment_body),
        "change Anna's contact (page)": client.post(
            f"/contacts/{annas_contact}", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrf_token={bob_csrf}&first_name=x".encode()),
        "change Anna's segment": client.put(f"/api/v1/segments/{annas_segment}", headers=headers, body=segment_body),
        "delete Anna's segment": client.request("DELETE", f"/api/v1/segments/{annas_segment}", headers=headers,
                                                body=b""),
    }
    assert {name: r.status_code for name, r in also.items()} == {name: 404 for name in also}
    start_import = client.post(f"/lists/{annas_list}/imports/{annas_import}",
                               headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
                               body=f"csrf_token={bob_csrf}&column_0=email&declared=on&lawful_basis=x".encode())
    assert start_import.status_code == 404
    # THEN each answers 404, and Anna's things are untouched
    delete = client.request("DELETE", f"/api/v1/contacts/{annas_contact}", headers=headers, body=b"")
    assert {route: r.status_code for route, r in answers.items()} == {route: 404 for route in COVERED}
    assert delete.status_code == 404
    remembered = cookie_value(anna, "__Host-remember")
    assert client.get("/app", headers={"Cookie": f"__Host-remember={remembered}"}).status_code == 200
    assert client.get(f"/settings/exports/{annas_export}", headers={"Cookie": anna_session}).status_code == 303
    anna_members = client.get(f"/lists/{annas_list}", headers={"Cookie": anna_session}).body.decode()
    assert "klant@example.org" in anna_members and "x@example.org" not in anna_members
    annas_segment_page = client.get(f"/lists/{annas_list}/segments/{annas_segment}", headers={"Cookie": anna_session})
    assert annas_segment_page.status_code == 200
    assert "<code>city</code>" in client.get("/fields", headers={"Cookie": anna_session}).body.decode()


def page_contact_id(client, session_cookie):
    page = client.get("/contacts", headers={"Cookie": session_cookie}).body.decode()
    return page.split('href="/contacts/', 1)[1].split('"', 1)[0]
