from chalicelib.delivery.mail import MailRequest
from chalicelib.delivery.service import deliver_mail_batch


class CountingSender:
    """Stands in for SES: records what it was handed, refuses addresses it is told to."""

    def __init__(self, refuse=()):
        self.sent = []
        self._refuse = set(refuse)

    def send(self, mail):
        if set(mail.to) & self._refuse:
            raise RuntimeError("throttled")
        self.sent.append(mail)
        return f"ses-{len(self.sent)}"


def queued(to, template="test_mail", language="en"):
    return MailRequest(template=template, to=(to,), language=language, context={"note": ""}).to_json()


def test_every_mail_of_a_good_batch_is_sent():
    sender = CountingSender()
    result = deliver_mail_batch([("m1", queued("a@example.org")), ("m2", queued("b@example.org"))], sender)
    assert result == {"batchItemFailures": []}
    assert [m.to for m in sender.sent] == [("a@example.org",), ("b@example.org",)]


def test_only_failed_records_go_back_to_the_queue():
    # GIVEN a batch of three where SES refuses the second and the third is not a mail request
    sender = CountingSender(refuse={"b@example.org"})
    records = [("m1", queued("a@example.org")), ("m2", queued("b@example.org")), ("m3", "{not json")]
    # WHEN the batch is delivered
    result = deliver_mail_batch(records, sender)
    # THEN the first is sent and only the other two are reported as failed
    assert [m.to for m in sender.sent] == [("a@example.org",)]
    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}


def test_unknown_template_fails_that_record_only():
    sender = CountingSender()
    result = deliver_mail_batch([("m1", queued("a@example.org", template="nope")),
                                 ("m2", queued("b@example.org"))], sender)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert len(sender.sent) == 1
