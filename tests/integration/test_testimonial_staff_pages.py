"""P15: the testimonial staff pages exist only for staff (404 to anyone else), and every staff action
on a testimonial lands in the audit log."""

import pytest

from tests.integration.accounts_helpers import REGISTRATION, post_form
from tests.integration.testimonial_helpers import (STAFF_EMAIL, customer, only_testimonial_of, publish, staff,
                                                   submit)


@pytest.mark.parametrize("method, path", [
    ("GET", "/staff/testimonials"), ("GET", "/staff/testimonials/{id}"), ("GET", "/staff/testimonials/{id}/photo"),
    ("POST", "/staff/testimonials/{id}/publish"), ("POST", "/staff/testimonials/{id}/unpublish"),
    ("POST", "/staff/testimonials/{id}/propose"), ("POST", "/staff/testimonials/{id}/withdraw"),
])
def test_staff_page_is_a_404_when_the_account_is_not_staff(client, app_module, aws_resources, outbox, method, path):
    # GIVEN Anna, not staff, with a testimonial of her own
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    testimonial = only_testimonial_of()
    address = path.format(id=testimonial.testimonial_id)
    # WHEN she opens or posts to a staff page
    if method == "GET":
        response = client.get(address, headers={"Cookie": cookie})
    else:
        response = post_form(client, address, {"csrf_token": csrf, "consent_id": testimonial.current_consent.consent_id,
                                               "text": "Changed", "name": "X", "requested_by": "me",
                                               "requested_at": "2026-01-01T10:00"}, cookie)
    # THEN it does not exist for her, and nothing changed
    assert response.status_code == 404
    assert only_testimonial_of() == testimonial


def test_staff_see_submitted_testimonials_from_the_staff_overview(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, _ = staff(client, app_module, aws_resources, outbox)
    assert 'href="/staff/testimonials"' in client.get("/staff", headers={"Cookie": staff_cookie}).body.decode()
    listing = client.get("/staff/testimonials", headers={"Cookie": staff_cookie}).body.decode()
    testimonial = only_testimonial_of()
    assert f'/staff/testimonials/{testimonial.testimonial_id}"' in listing
    detail = client.get(f"/staff/testimonials/{testimonial.testimonial_id}", headers={"Cookie": staff_cookie})
    assert detail.status_code == 200
    page = detail.body.decode()
    assert testimonial.current_consent.consent_id in page and testimonial.current_consent.digest in page
    assert "127.0.0.1" in page


def test_every_staff_action_is_in_the_audit_log_when_staff_act(client, app_module, aws_resources, outbox):
    from chalicelib.composition import services

    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    testimonial = only_testimonial_of()
    base = f"/staff/testimonials/{testimonial.testimonial_id}"
    # WHEN staff publish, propose a change, unpublish and record a withdrawal
    assert publish(client, staff_cookie, staff_csrf, testimonial).status_code == 303
    assert post_form(client, f"{base}/propose", {"csrf_token": staff_csrf, "text": "Shorter.", "name": "Anna"},
                     staff_cookie).status_code == 303
    assert post_form(client, f"{base}/unpublish", {"csrf_token": staff_csrf}, staff_cookie).status_code == 303
    assert post_form(client, f"{base}/withdraw", {"csrf_token": staff_csrf, "requested_by": "Anna, by mail",
                                                  "requested_at": "2026-01-05T09:30"}, staff_cookie).status_code == 303
    # THEN each is in the audit log under the staff member, naming the testimonial and its owner
    staff_id = services().accounts.by_email(STAFF_EMAIL).account_id
    owner_id = services().accounts.by_email(REGISTRATION["email"]).account_id
    entries = [e for e in services().audit_log.entries(staff_id) if e["event"].startswith("staff.testimonial_")]
    assert sorted(e["event"] for e in entries) == sorted([
        "staff.testimonial_published", "staff.testimonial_change_proposed", "staff.testimonial_unpublished",
        "staff.testimonial_withdrawn_on_request"])
    assert all(e["details"]["testimonial_id"] == testimonial.testimonial_id
               and e["details"]["owner_account_id"] == owner_id for e in entries)
    assert all(e["ip_prefix"] for e in entries)
