"""P15: a testimonial is stored with its consent record: who gave it, when, from which IP address,
the exact text and details consented to, and the version of the consent wording shown."""

import io

from PIL import Image

from tests.integration.accounts_helpers import REGISTRATION, post_form
from tests.integration.testimonial_helpers import (TEXT, customer, filled_form, only_testimonial_of, photo_bytes,
                                                   public_pages, submit, upload_photo)


def _photo_id(response) -> str:
    return response.headers["Location"].split("photo=", 1)[1].split("#", 1)[0]


def test_consent_record_holds_who_when_ip_text_fields_and_wording_version_when_submitted(
        client, app_module, aws_resources, outbox):
    from chalicelib.composition import services
    from chalicelib.testimonials.testimonial import CONSENT_WORDING_VERSION, CONSENT_WORDINGS

    # GIVEN Anna, signed in, with a photo uploaded for her testimonial
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    uploaded = upload_photo(client, cookie, aws_resources, photo_bytes())
    assert uploaded.status_code == 303
    # WHEN she sends her testimonial with her permission, showing her name, company and photo but no city
    response = submit(client, cookie, csrf, city="", photo_id=_photo_id(uploaded), show_photo="on")
    assert response.status_code == 303
    # THEN the consent record names her, the moment, her IP address, the exact text, the details and the wording
    testimonial = only_testimonial_of()
    consent = testimonial.current_consent
    account = services().accounts.by_email(REGISTRATION["email"])
    assert (consent.account_id, consent.given_by) == (account.account_id, REGISTRATION["name"])
    assert consent.ip == "127.0.0.1" and consent.given_at.tzinfo is not None
    assert consent.shown.text == TEXT
    assert set(consent.shown.fields) == {"name", "company", "photo"}
    assert consent.shown.fields["name"] == REGISTRATION["name"] and not consent.shown.city
    assert consent.wording_version == CONSENT_WORDING_VERSION and consent.language == "nl"
    assert consent.wording == CONSENT_WORDINGS[CONSENT_WORDING_VERSION]["nl"]
    # AND the record is in the audit log as her consent
    [entry] = [e for e in services().audit_log.entries(account.account_id)
               if e["event"] == "consent.testimonial_given"]
    assert entry["details"]["consent_id"] == consent.consent_id
    assert entry["details"]["wording_version"] == CONSENT_WORDING_VERSION
    # AND the photo consented to is a small clean JPEG under the testimonials prefix
    s3 = aws_resources.client("s3")
    key = f"testimonials/{account.account_id}/{consent.shown.photo.photo_id}.jpg"
    stored = s3.get_object(Bucket="mailexpert-assets-123456789012-eu-west-1", Key=key)["Body"].read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and max(image.size) <= 400 and not image.getexif()


def test_consent_wording_is_shown_in_the_customers_language_when_writing(client, app_module, aws_resources, outbox):
    from chalicelib.testimonials.testimonial import CONSENT_WORDING_VERSION, CONSENT_WORDINGS

    cookie, _ = customer(client, app_module, aws_resources, outbox)
    for language in ("nl", "en"):
        page = client.get("/settings/testimonials", headers={"Cookie": cookie, "Accept-Language": language})
        wording = CONSENT_WORDINGS[CONSENT_WORDING_VERSION][language].replace("&", "&amp;")
        assert wording in page.body.decode()


def test_nothing_is_stored_or_shown_when_the_consent_box_is_not_ticked(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    # WHEN Anna sends her testimonial without ticking the permission box
    form = filled_form(csrf)
    del form["consent"]
    response = post_form(client, "/settings/testimonials", form, cookie, headers={"Accept-Language": "en"})
    # THEN she gets the form back with the reason beside the box, her text kept, and nothing is stored
    page = response.body.decode()
    assert response.status_code == 422
    assert 'id="consent-error"' in page and "only with your permission" in page
    assert "MailExpert keeps our lists clean" in page
    from chalicelib.composition import services

    assert services().testimonials.every() == []
    assert "MailExpert keeps our lists clean" not in public_pages(client)


def test_submission_is_refused_when_the_consent_wording_changed_since_the_page_was_shown(
        client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    response = submit(client, cookie, csrf, wording_version="an-older-wording", headers={"Accept-Language": "en"})
    assert response.status_code == 409 and 'id="consent-error"' in response.body.decode()
    from chalicelib.composition import services

    assert services().testimonials.every() == []
