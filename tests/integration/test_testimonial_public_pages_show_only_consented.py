"""P15: /testimonials and the home page show a testimonial only when it is published, and then only
exactly what its customer consented to; an edit by staff shows nowhere until the customer agrees."""

import json

from tests.integration.accounts_helpers import post_form
from tests.integration.testimonial_helpers import (customer, only_testimonial_of, public_pages, publish, staff,
                                                   submit)

EDITED = "MailExpert is simply the best e-mail service there is!"


def test_testimonial_is_not_shown_when_it_is_submitted_but_not_published(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    assert "MailExpert keeps our lists clean" not in public_pages(client)


def test_testimonial_is_shown_on_both_pages_when_staff_publish_it(client, app_module, aws_resources, outbox):
    # GIVEN Anna's testimonial with her consent
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    # WHEN staff publish exactly the consent they see
    response = publish(client, staff_cookie, staff_csrf, only_testimonial_of())
    # THEN the public page and the home page show her words and the details she chose
    assert response.status_code == 303
    for path in ("/testimonials", "/"):
        page = client.get(path).body.decode()
        assert "<p>MailExpert keeps our lists clean</p><p>and our customers happy.</p>" in page, path
        assert "De Vries Bloemen" in page and "Anna de Vries" in page


def test_edit_by_staff_is_never_shown_when_the_customer_has_not_agreed(client, app_module, aws_resources, outbox):
    # GIVEN Anna's published testimonial
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    testimonial = only_testimonial_of()
    publish(client, staff_cookie, staff_csrf, testimonial)
    # WHEN staff edit its text (and try to publish again)
    proposed = post_form(client, f"/staff/testimonials/{testimonial.testimonial_id}/propose",
                         {"csrf_token": staff_csrf, "text": EDITED, "name": "Anna", "company": "", "city": ""},
                         staff_cookie)
    assert proposed.status_code == 303
    publish(client, staff_cookie, staff_csrf, only_testimonial_of())
    # THEN the public pages still show only what she consented to
    shown = public_pages(client)
    assert "MailExpert keeps our lists clean" in shown and EDITED not in shown
    # AND Anna sees the proposal in her account
    mine = client.get("/settings/testimonials", headers={"Cookie": cookie, "Accept-Language": "en"}).body.decode()
    assert EDITED in mine and "proposes this change" in mine


def test_edit_is_shown_when_the_customer_accepts_it_with_a_new_consent(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    testimonial = only_testimonial_of()
    publish(client, staff_cookie, staff_csrf, testimonial)
    post_form(client, f"/staff/testimonials/{testimonial.testimonial_id}/propose",
              {"csrf_token": staff_csrf, "text": EDITED, "name": "Anna", "company": "", "city": ""}, staff_cookie)
    digest = only_testimonial_of().proposal.digest
    # WHEN Anna accepts the proposal she saw
    response = post_form(client, f"/settings/testimonials/{testimonial.testimonial_id}/accept",
                         {"csrf_token": csrf, "digest": digest}, cookie)
    # THEN it is shown, under a new consent record of its own
    assert response.status_code == 303
    shown = public_pages(client)
    assert EDITED in shown and "MailExpert keeps our lists clean" not in shown
    accepted = only_testimonial_of()
    assert len(accepted.consents) == 2 and accepted.current_consent.shown.text == EDITED


def test_edit_is_dropped_when_the_customer_declines_it(client, app_module, aws_resources, outbox):
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    testimonial = only_testimonial_of()
    post_form(client, f"/staff/testimonials/{testimonial.testimonial_id}/propose",
              {"csrf_token": staff_csrf, "text": EDITED, "name": "Anna"}, staff_cookie)
    response = post_form(client, f"/settings/testimonials/{testimonial.testimonial_id}/decline",
                         {"csrf_token": csrf, "digest": only_testimonial_of().proposal.digest}, cookie)
    assert response.status_code == 303
    declined = only_testimonial_of()
    assert declined.proposal is None and len(declined.consents) == 1
    publish(client, staff_cookie, staff_csrf, declined)
    shown = public_pages(client)
    assert "MailExpert keeps our lists clean" in shown and EDITED not in shown


def test_publishing_is_refused_when_the_consent_changed_after_staff_looked(client, app_module, aws_resources, outbox):
    # GIVEN staff looking at Anna's first consent, and Anna agreeing to a change meanwhile
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    seen = only_testimonial_of()
    post_form(client, f"/staff/testimonials/{seen.testimonial_id}/propose",
              {"csrf_token": staff_csrf, "text": EDITED, "name": "Anna"}, staff_cookie)
    post_form(client, f"/settings/testimonials/{seen.testimonial_id}/accept",
              {"csrf_token": csrf, "digest": only_testimonial_of().proposal.digest}, cookie)
    # WHEN staff publish the consent they saw
    response = publish(client, staff_cookie, staff_csrf, seen)
    # THEN it is refused with the reason, and nothing is shown
    assert response.status_code == 409 and "changed" in response.body.decode()
    assert EDITED not in public_pages(client) and "MailExpert keeps" not in public_pages(client)


def test_testimonial_is_never_shown_when_its_stored_text_differs_from_the_consent(
        client, app_module, aws_resources, outbox):
    # GIVEN Anna's published testimonial
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    testimonial = only_testimonial_of()
    publish(client, staff_cookie, staff_csrf, testimonial)
    # WHEN its consented text is changed in the table behind the app's back
    dynamodb = aws_resources.client("dynamodb")
    key = {"pk": {"S": "TESTIMONIAL"}, "sk": {"S": f"{testimonial.account_id}#{testimonial.testimonial_id}"}}
    item = dynamodb.get_item(TableName="mailexpert-notices", Key=key)["Item"]
    consents = json.loads(item["consents"]["S"])
    consents[-1]["shown"]["text"] = consents[-1]["text"] = EDITED
    dynamodb.update_item(TableName="mailexpert-notices", Key=key, UpdateExpression="SET consents = :c",
                         ExpressionAttributeValues={":c": {"S": json.dumps(consents)}})
    # THEN neither the changed nor the old text is shown, and the pages still work
    assert client.get("/testimonials").status_code == 200 and client.get("/").status_code == 200
    shown = public_pages(client)
    assert EDITED not in shown and "MailExpert keeps" not in shown
    assert client.get(f"/testimonials/{testimonial.testimonial_id}/photo").status_code == 404
