"""P15: bad input on the testimonial pages gets the form back with a clear message beside the field,
never a 500, and stores nothing."""

import pytest

from tests.integration.accounts_helpers import post_form
from tests.integration.testimonial_helpers import (customer, only_testimonial_of, photo_bytes, staff, submit,
                                                   upload_photo)
from chalicelib.testimonials.testimonial import TEXT_MAX


@pytest.mark.parametrize("changes, field, message", [
    ({"text": "   \n  "}, "text", "Write the text of your testimonial."),
    ({"text": "x" * (TEXT_MAX + 1)}, "text", f"at most {TEXT_MAX} characters"),
    ({"name": ""}, "name", "Enter the name to show"),
    ({"city": "A" * 101}, "city", "at most 100 characters"),
])
def test_form_comes_back_with_the_error_beside_the_field_when_input_is_bad(client, app_module, aws_resources, outbox,
                                                                           changes, field, message):
    from chalicelib.composition import services

    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    # WHEN Anna sends a testimonial with one bad field
    response = submit(client, cookie, csrf, headers={"Accept-Language": "en"}, **changes)
    # THEN she gets the form again, the message beside that field, and nothing is stored
    page = response.body.decode()
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    assert services().testimonials.every() == []


def test_form_is_refused_when_a_field_is_missing_altogether(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    response = post_form(client, "/settings/testimonials", {"csrf_token": csrf}, cookie,
                         headers={"Accept-Language": "en"})
    page = response.body.decode()
    assert response.status_code == 422
    assert 'id="text-error"' in page and 'id="name-error"' in page and 'id="consent-error"' in page


@pytest.mark.parametrize("data", [b"%PDF-1.4 not an image at all",
                                  b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'])
def test_photo_that_is_no_usable_image_comes_back_with_the_reason(client, app_module, aws_resources, outbox, data):
    # GIVEN Anna uploading a file that is not an image we use
    cookie, _ = customer(client, app_module, aws_resources, outbox)
    # WHEN the upload comes back to the app
    response = upload_photo(client, cookie, aws_resources, data)
    # THEN she sees the page again with the reason beside the photo field, and nothing is kept
    assert response.status_code == 422
    assert 'id="photo-error"' in response.body.decode()
    listing = aws_resources.client("s3").list_objects_v2(Bucket="mailexpert-assets-123456789012-eu-west-1")
    assert listing.get("Contents", []) == []


def test_photo_link_of_the_form_is_refused_when_the_photo_is_not_the_accounts(client, app_module, aws_resources,
                                                                               outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    response = submit(client, cookie, csrf, photo_id="0" * 32, show_photo="on", headers={"Accept-Language": "en"})
    assert response.status_code == 422 and 'id="photo-error"' in response.body.decode()


def test_upload_with_an_unknown_id_comes_back_with_the_reason(client, app_module, aws_resources, outbox):
    cookie, _ = customer(client, app_module, aws_resources, outbox)
    for upload_id in ("nonsense", "f" * 32):
        response = client.get(f"/settings/testimonials/photo-uploaded?upload_id={upload_id}",
                              headers={"Cookie": cookie})
        assert response.status_code == 404 and 'id="photo-error"' in response.body.decode()


def test_staff_proposal_comes_back_with_the_error_when_its_text_is_empty(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    uploaded = upload_photo(client, cookie, aws_resources, photo_bytes())
    submit(client, cookie, csrf, photo_id=uploaded.headers["Location"].split("photo=")[1].split("#")[0],
           show_photo="on")
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    testimonial = only_testimonial_of()
    base = f"/staff/testimonials/{testimonial.testimonial_id}"
    empty = post_form(client, f"{base}/propose", {"csrf_token": staff_csrf, "text": "", "name": "Anna"}, staff_cookie)
    assert empty.status_code == 422 and 'id="text-error"' in empty.body.decode()
    # AND proposing exactly what was consented to is no change at all
    same = testimonial.current_consent.shown
    unchanged = post_form(client, f"{base}/propose", {"csrf_token": staff_csrf, "text": same.text, "name": same.name,
                                                      "company": same.company, "city": same.city, "keep_photo": "on"},
                          staff_cookie, headers={"Accept-Language": "en"})
    assert unchanged.status_code == 409 and "no change to propose" in unchanged.body.decode()
    assert only_testimonial_of().proposal is None
    # AND the staff page shows the photo through its own route
    assert client.get(f"{base}/photo", headers={"Cookie": staff_cookie}).status_code == 302
