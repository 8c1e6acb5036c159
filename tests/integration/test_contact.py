"""P18: questions about privacy and security reach the support inbox, through the page and the API."""

import json
from urllib.parse import urlencode

from tests.integration.test_mail_round_trip import FakeContext, receive_all, sqs_event
from tests.integration.conftest import json_body

GOOD = {"name": "Anna de Vries", "email": "Anna@Example.NL", "subject": "Bewaartermijn",
        "message": "Hoe lang bewaren jullie mijn gegevens na opzegging?"}


def deliver_queued_mail(app_module, aws_resources):
    _, messages = receive_all(aws_resources.client("sqs"), "mailexpert-mail")
    return app_module.on_mail_message(sqs_event(messages), FakeContext())


def test_api_contact_message_reaches_the_support_inbox(client, app_module, aws_resources, outbox):
    # WHEN a question is posted to the API
    response = client.post("/api/v1/contact-messages", headers={"Content-Type": "application/json"},
                           body=json.dumps(GOOD).encode())
    # THEN it is accepted with a reference
    assert response.status_code == 202
    assert json_body(response)["status"] == "queued" and json_body(response)["reference"]
    # AND once the mail sender ran, support has it, with the sender as Reply-To
    assert deliver_queued_mail(app_module, aws_resources) == {"batchItemFailures": []}
    [mail] = outbox.mails()
    assert mail["to"] == ["info@mailexpert.nl"]
    assert mail["reply_to"] == ["Anna@example.nl"]  # the domain part is normalised
    assert "Bewaartermijn" in mail["subject"]
    assert GOOD["message"] in mail["text"]


def test_api_lists_every_invalid_field(client, aws_resources):
    response = client.post("/api/v1/contact-messages", headers={"Content-Type": "application/json",
                                                                "Accept-Language": "en"},
                           body=json.dumps({"name": "", "email": "not-an-address", "message": "short",
                                            "admin": True}).encode())
    body = json_body(response)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    by_field = {e["field"]: e["message"] for e in body["errors"]}
    assert by_field == {
        "name": "This field is required.",
        "email": "Enter a valid e-mail address, like name@example.nl.",
        "subject": "This field is required.",
        "message": "Please enter at least 10 characters.",
        "admin": "This field is not expected here.",
    }
    # AND nothing was queued
    assert receive_all(aws_resources.client("sqs"), "mailexpert-mail")[1] == []


def test_api_refuses_a_body_that_is_not_json(client):
    response = client.post("/api/v1/contact-messages", headers={"Content-Type": "application/json"},
                           body=b"{name: 'x'")
    assert response.status_code == 400
    assert json_body(response)["type"].endswith("/malformed-request")


def test_api_refuses_a_json_array(client):
    response = client.post("/api/v1/contact-messages", headers={"Content-Type": "application/json"}, body=b"[]")
    assert response.status_code == 422


def test_api_refuses_another_content_type(client):
    response = client.post("/api/v1/contact-messages", headers={"Content-Type": "text/plain"}, body=b"hi")
    assert response.status_code == 415
    assert json_body(response)["status"] == 415


def test_contact_form_sends_and_thanks_the_visitor(client, app_module, aws_resources, outbox):
    response = client.post("/contact", headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=urlencode(GOOD).encode())
    assert response.status_code == 303
    assert response.headers["Location"] == "/contact?sent=1"
    assert 'role="status"' in client.get("/contact?sent=1").body.decode()
    deliver_queued_mail(app_module, aws_resources)
    assert outbox.mails()[0]["reply_to"] == ["Anna@example.nl"]


def test_contact_form_shows_errors_next_to_fields_and_keeps_what_was_typed(client, aws_resources):
    # GIVEN a visitor who typed a bad address and a short message, in English
    form = {**GOOD, "email": "anna@", "message": "Hi"}
    response = client.post("/contact?lang=en", headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=urlencode(form).encode())
    page = response.body.decode()
    # THEN the form comes back with each problem beside its field, and the typed values kept
    assert response.status_code == 422
    assert 'id="email-error"' in page and "Enter a valid e-mail address" in page
    assert 'id="message-error"' in page and "at least 10 characters" in page
    assert 'value="Anna de Vries"' in page
    assert 'id="name-error"' not in page
    assert receive_all(aws_resources.client("sqs"), "mailexpert-mail")[1] == []


def test_contact_form_escapes_what_was_typed(client):
    form = {**GOOD, "name": '"><script>alert(1)</script>', "message": "x"}
    page = client.post("/contact", headers={"Content-Type": "application/x-www-form-urlencoded"},
                       body=urlencode(form).encode()).body.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
