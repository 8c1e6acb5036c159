"""P15: withdrawing consent, by the customer in Settings & Options or by staff on the customer's
request (recorded: who asked, when), unpublishes the testimonial at once and for good."""

from datetime import datetime, timedelta, timezone

from tests.integration.accounts_helpers import REGISTRATION, post_form
from tests.integration.testimonial_helpers import (STAFF_EMAIL, customer, only_testimonial_of, photo_bytes,
                                                   public_pages, publish, staff, submit, upload_photo)

ASSETS_BUCKET = "mailexpert-assets-123456789012-eu-west-1"


def _published_with_photo(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    uploaded = upload_photo(client, cookie, aws_resources, photo_bytes())
    photo_id = uploaded.headers["Location"].split("photo=", 1)[1].split("#", 1)[0]
    submit(client, cookie, csrf, photo_id=photo_id, show_photo="on")
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    testimonial = only_testimonial_of()
    publish(client, staff_cookie, staff_csrf, testimonial)
    assert "MailExpert keeps our lists clean" in public_pages(client)
    assert client.get(f"/testimonials/{testimonial.testimonial_id}/photo").status_code == 302
    return cookie, csrf, staff_cookie, staff_csrf, testimonial


def _photo_keys(aws_resources) -> list[str]:
    listing = aws_resources.client("s3").list_object_versions(Bucket=ASSETS_BUCKET, Prefix="testimonials/")
    return [v["Key"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def test_customer_withdrawal_unpublishes_at_once_when_made_in_settings(client, app_module, aws_resources, outbox):
    # GIVEN Anna's published testimonial with her photo, and Settings & Options leading to it
    cookie, csrf, staff_cookie, staff_csrf, testimonial = _published_with_photo(client, app_module, aws_resources,
                                                                              outbox)
    assert 'href="/settings/testimonials"' in client.get("/settings", headers={"Cookie": cookie}).body.decode()
    # WHEN she withdraws her permission
    response = post_form(client, f"/settings/testimonials/{testimonial.testimonial_id}/withdraw",
                         {"csrf_token": csrf}, cookie)
    # THEN the very next request shows it nowhere, its photo link is gone, and so is the photo
    assert response.status_code == 303
    assert "MailExpert keeps our lists clean" not in public_pages(client)
    assert client.get(f"/testimonials/{testimonial.testimonial_id}/photo").status_code == 404
    assert _photo_keys(aws_resources) == []
    # AND staff cannot publish it again
    again = publish(client, staff_cookie, staff_csrf, testimonial)
    assert again.status_code == 409
    assert "MailExpert keeps our lists clean" not in public_pages(client)
    # AND the withdrawal is in her consent history
    from chalicelib.composition import services

    account = services().accounts.by_email(REGISTRATION["email"])
    assert any(e["event"] == "consent.testimonial_withdrawn" for e in services().audit_log.entries(account.account_id))


def test_staff_withdrawal_records_who_asked_and_when_and_unpublishes_at_once(client, app_module, aws_resources,
                                                                              outbox):
    cookie, csrf, staff_cookie, staff_csrf, testimonial = _published_with_photo(client, app_module, aws_resources,
                                                                              outbox)
    asked = (datetime.now(timezone.utc) - timedelta(hours=2)).replace(second=0, microsecond=0)
    # WHEN staff record her request, made by phone two hours ago (typed in UTC here)
    response = post_form(client, f"/staff/testimonials/{testimonial.testimonial_id}/withdraw",
                         {"csrf_token": staff_csrf, "requested_by": "Anna de Vries, by phone",
                          "requested_at": asked.isoformat()}, staff_cookie)
    # THEN it is unpublished at once, and the withdrawal names who asked, when, and who recorded it
    assert response.status_code == 303
    assert "MailExpert keeps our lists clean" not in public_pages(client)
    withdrawn = only_testimonial_of()
    from chalicelib.composition import services

    staff_account = services().accounts.by_email(STAFF_EMAIL)
    assert withdrawn.withdrawal.requested_by == "Anna de Vries, by phone"
    assert withdrawn.withdrawal.requested_at == asked
    assert withdrawn.withdrawal.by == staff_account.account_id
    # AND the staff action is in the audit log, under the staff member
    [entry] = [e for e in services().audit_log.entries(staff_account.account_id)
               if e["event"] == "staff.testimonial_withdrawn_on_request"]
    assert entry["details"]["testimonial_id"] == testimonial.testimonial_id


def test_staff_withdrawal_form_comes_back_with_errors_when_who_or_when_is_missing(client, app_module, aws_resources,
                                                                                   outbox):
    cookie, csrf, staff_cookie, staff_csrf, testimonial = _published_with_photo(client, app_module, aws_resources,
                                                                              outbox)
    response = post_form(client, f"/staff/testimonials/{testimonial.testimonial_id}/withdraw",
                         {"csrf_token": staff_csrf, "requested_by": " ", "requested_at": "yesterday"}, staff_cookie)
    page = response.body.decode()
    assert response.status_code == 422
    assert 'id="requested_by-error"' in page and 'id="requested_at-error"' in page
    assert "MailExpert keeps our lists clean" in public_pages(client)
