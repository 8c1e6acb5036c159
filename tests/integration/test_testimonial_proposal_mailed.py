"""P15 + P5: when staff propose a change to a testimonial, the customer hears of it by mail, with the
link to the page where they agree or decline; the proposed text itself is not in the mail."""

from tests.integration.accounts_helpers import REGISTRATION, deliver_mail, mails_to, post_form
from tests.integration.testimonial_helpers import customer, only_testimonial_of, staff, submit

EDITED = "MailExpert is simply the best e-mail service there is!"


def test_customer_is_mailed_the_link_when_staff_propose_a_change(client, app_module, aws_resources, outbox):
    # GIVEN Anna's testimonial
    cookie, csrf = customer(client, app_module, aws_resources, outbox)
    submit(client, cookie, csrf)
    staff_cookie, staff_csrf = staff(client, app_module, aws_resources, outbox)
    before = mails_to(outbox, REGISTRATION["email"])
    # WHEN staff propose a change and the mail queue runs
    testimonial = only_testimonial_of()
    post_form(client, f"/staff/testimonials/{testimonial.testimonial_id}/propose",
              {"csrf_token": staff_csrf, "text": EDITED, "name": "Anna"}, staff_cookie)
    deliver_mail(app_module, aws_resources)
    # THEN she has one new mail, in her language, leading to her testimonials page
    [mail] = [m for m in mails_to(outbox, REGISTRATION["email"]) if m not in before]
    assert "testimonial" in mail["subject"] and "Hallo Anna de Vries" in mail["text"]
    assert "http://127.0.0.1:8000/settings/testimonials" in mail["text"]
    assert EDITED not in mail["text"]
