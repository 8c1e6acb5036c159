"""Shared steps for the testimonial tests: a signed-in customer, a staff member, a photo upload."""

import io
import re

from PIL import Image

from tests.integration.accounts_helpers import REGISTRATION, csrf_token_of, log_in, post_form, register

STAFF_EMAIL = "staff@example.com"
STAFF_IP = "198.51.100.9"
TEXT = "MailExpert keeps our lists clean\nand our customers happy."


def customer(client, app_module, aws_resources, outbox, email=REGISTRATION["email"]):
    """GIVEN a registered, signed-in customer: (cookie, csrf token)."""
    register(client, app_module, aws_resources, outbox, email=email)
    cookie = log_in(client, email=email)
    page = client.get("/settings/testimonials", headers={"Cookie": cookie}).body.decode()
    return cookie, csrf_token_of(page)


def staff(client, app_module, aws_resources, outbox):
    """GIVEN a signed-in staff member: (cookie, csrf token)."""
    from chalicelib.composition import services

    register(client, app_module, aws_resources, outbox, email=STAFF_EMAIL, name="Sam Staff")
    account = services().accounts.by_email(STAFF_EMAIL)
    account.staff = True
    services().accounts.save(account)
    cookie = log_in(client, email=STAFF_EMAIL)
    page = client.get("/staff", headers={"Cookie": cookie}).body.decode()
    return cookie, csrf_token_of(page)


def filled_form(csrf, **changes) -> dict:
    from chalicelib.testimonials.testimonial import CONSENT_WORDING_VERSION

    return {"csrf_token": csrf, "text": TEXT, "name": "Anna de Vries", "company": "De Vries Bloemen",
            "city": "Amsterdam", "consent": "on", "wording_version": CONSENT_WORDING_VERSION, **changes}


def submit(client, cookie, csrf, headers=None, **changes):
    return post_form(client, "/settings/testimonials", filled_form(csrf, **changes), cookie, headers=headers)


def only_testimonial_of(email=REGISTRATION["email"]):
    from chalicelib.composition import services

    account = services().accounts.by_email(email)
    [testimonial] = services().testimonials.mine(account)
    return testimonial


def publish(client, staff_cookie, staff_csrf, testimonial):
    return post_form(client, f"/staff/testimonials/{testimonial.testimonial_id}/publish",
                     {"csrf_token": staff_csrf, "consent_id": testimonial.current_consent.consent_id}, staff_cookie,
                     headers={"Accept-Language": "en"})


def photo_bytes(size=(900, 600), colour="teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def upload_photo(client, cookie, aws_resources, data: bytes):
    """What the browser does: post the file to S3 under the key the page fixed, come back to the app."""
    from chalicelib.config import settings

    page = client.get("/settings/testimonials", headers={"Cookie": cookie}).body.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    back = re.search(r'name="success_action_redirect" value="([^"]+)"', page).group(1).replace("&amp;", "&")
    aws_resources.client("s3").put_object(Bucket=settings().assets_bucket, Key=key, Body=data)
    return client.get(back.split("127.0.0.1:8000", 1)[1], headers={"Cookie": cookie})


def public_pages(client) -> str:
    """The public testimonials page and the home page, as one text."""
    return client.get("/testimonials").body.decode() + client.get("/").body.decode()
