"""The SendBulkEmail request the campaign sender makes, and how the local layer turns it into the
SendEmails SES would make of it (moto has no SendBulkEmail)."""

import json

import pytest

from chalicelib.delivery.mail import OutgoingMail
from chalicelib.delivery.sender import SesSender
from devstack.devtools.ses_bulk import single_requests


class RecordingClient:
    def __init__(self):
        self.requests = []

    def send_bulk_email(self, **request):
        self.requests.append(request)
        return {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": f"m{i}"}
                                          for i, _ in enumerate(request["BulkEmailEntries"])]}


def mail(address: str, **changes) -> OutgoingMail:
    values = dict(to=(address,), subject=f"Hallo {address}", text="Tekst {{ niet vervangen }}",
                  html='<p class="x">Hallo &amp; welkom {{subject}}</p>',
                  headers=(("List-Unsubscribe", f"<https://u/{address}>"),), tags={"contact": address},
                  from_address="Bakkerij <info@demolen.nl>", reply_to=("winkel@demolen.nl",))
    values.update(changes)
    return OutgoingMail(**values)


def test_each_mail_arrives_exactly_as_rendered_when_the_bulk_request_is_expanded():
    # GIVEN three rendered mails whose content holds HTML and text that looks like template variables
    client = RecordingClient()
    mails = [mail(f"p{i}@example.com") for i in range(3)]
    # WHEN they are sent in bulk, and the request is expanded as SES does
    answers = SesSender(client, "MailExpert <noreply@mailexpert.nl>", "campaigns").send_bulk(mails)
    [request] = client.requests
    singles = single_requests(json.loads(json.dumps(request)))
    # THEN one call carried them all, under the campaign's sender and configuration set
    assert [a.message_id for a in answers] == ["m0", "m1", "m2"]
    assert request["FromEmailAddress"] == "Bakkerij <info@demolen.nl>"
    assert request["ConfigurationSetName"] == "campaigns"
    assert request["ReplyToAddresses"] == ["winkel@demolen.nl"]
    # AND each mail is byte for byte what was rendered: no escaping, no second substitution
    for original, single in zip(mails, singles):
        simple = single["Content"]["Simple"]
        assert single["Destination"] == {"ToAddresses": list(original.to)}
        assert simple["Subject"]["Data"] == original.subject
        assert simple["Body"]["Html"]["Data"] == original.html
        assert simple["Body"]["Text"]["Data"] == original.text
        assert simple["Headers"] == [{"Name": "List-Unsubscribe", "Value": f"<https://u/{original.to[0]}>"}]
        assert single["EmailTags"] == [{"Name": "contact", "Value": original.to[0]}]


@pytest.mark.parametrize("mails", [
    [],
    [mail(f"p{i}@example.com") for i in range(51)],
    [mail("a@example.com"), mail("b@example.com", from_address="Ander <x@elders.nl>")],
])
def test_a_bulk_send_takes_one_to_fifty_mails_of_one_sender(mails):
    with pytest.raises(ValueError):
        SesSender(RecordingClient(), "noreply@mailexpert.nl", "campaigns").send_bulk(mails)
