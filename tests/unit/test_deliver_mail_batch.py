"""Queued transactional mail through the one mail engine: each mail takes a token of the shared
bucket, and only a mail SES certainly did not take goes back to the queue; one SES refused for
good, or may have taken, is never sent again."""

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from chalicelib.delivery.engine import MailEngine, MailNotSent
from chalicelib.delivery.mail import MailRequest, OutgoingMail
from chalicelib.delivery.rate_limit import InMemoryTokenBucket, RateLimiter
from chalicelib.delivery.service import deliver_mail_batch
from chalicelib.delivery.ses_errors import Verdict


def refusal(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "for someone@example.org"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "SendEmail")


class ScriptedSes:
    """SES v2's SendEmail as a client answers it: accepted, or the error scripted for an address."""

    def __init__(self, errors_by_address=None):
        self.accepted = []
        self._errors = dict(errors_by_address or {})

    def send_email(self, **request):
        error = self._errors.get(request["Destination"]["ToAddresses"][0])
        if error is not None:
            raise error
        self.accepted.append(request)
        return {"MessageId": f"ses-{len(self.accepted)}"}


class CountingLimiter(RateLimiter):
    def __init__(self):
        super().__init__(InMemoryTokenBucket(), rate_per_s=1000, sleep=lambda s: None)
        self.taken = 0

    def acquire(self, tokens: int = 1) -> None:
        self.taken += tokens
        super().acquire(tokens)


class RememberedMail:
    def __init__(self):
        self.origins = []

    def remember(self, pairs):
        self.origins += pairs


def channel(ses, limiter=None, sent_mail=None):
    engine = MailEngine(ses, limiter or CountingLimiter(), "MailExpert <noreply@mailexpert.nl>", sent_mail)
    return engine.channel("transactional")


def queued(to, template="test_mail", language="en"):
    return MailRequest(template=template, to=(to,), language=language, context={"note": ""}).to_json()


def test_every_mail_of_a_good_batch_is_sent_each_with_a_token_of_the_bucket():
    ses, limiter = ScriptedSes(), CountingLimiter()
    result = deliver_mail_batch([("m1", queued("a@example.org")), ("m2", queued("b@example.org"))],
                                channel(ses, limiter))
    assert result == {"batchItemFailures": []}
    assert [r["Destination"]["ToAddresses"] for r in ses.accepted] == [["a@example.org"], ["b@example.org"]]
    assert all(r["ConfigurationSetName"] == "transactional" for r in ses.accepted)
    assert limiter.taken == 2


def test_only_mail_ses_did_not_take_goes_back_to_the_queue():
    # GIVEN a batch where SES throttles one, rejects one for good, times out on one, and one is no mail request
    ses = ScriptedSes({"throttled@example.org": refusal("TooManyRequestsException", 429),
                       "rejected@example.org": refusal("MessageRejected"),
                       "timeout@example.org": ReadTimeoutError(endpoint_url="https://email.eu-west-1.amazonaws.com")})
    records = [("m1", queued("a@example.org")), ("m2", queued("throttled@example.org")),
               ("m3", queued("rejected@example.org")), ("m4", queued("timeout@example.org")), ("m5", "{not json")]
    # WHEN the batch is delivered
    result = deliver_mail_batch(records, channel(ses))
    # THEN the first is sent; the throttled one and the unreadable one go back to SQS for another try,
    # and neither the rejected one nor the one SES may have taken is sent again
    assert [r["Destination"]["ToAddresses"] for r in ses.accepted] == [["a@example.org"]]
    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m5"}]}


def test_unknown_template_fails_that_record_only():
    ses = ScriptedSes()
    result = deliver_mail_batch([("m1", queued("a@example.org", template="nope")),
                                 ("m2", queued("b@example.org"))], channel(ses))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert len(ses.accepted) == 1


def mail(to="owner@example.org", **tags):
    return OutgoingMail(to=(to,), subject="Test", text="t", html="<p>t</p>", tags=tags)


@pytest.mark.parametrize("error, verdict, status", [
    (refusal("MessageRejected"), Verdict.FAILED, 422),
    (refusal("TooManyRequestsException", 429), Verdict.RETRY, 503),
    (refusal("SendingPausedException"), Verdict.HALT, 503),
    (refusal("InternalFailure", 500), Verdict.UNKNOWN, 503),
])
def test_one_mail_ses_does_not_take_is_a_clear_4xx_or_503_without_the_address(error, verdict, status):
    # WHEN SES answers one mail with an error
    with pytest.raises(MailNotSent) as not_sent:
        channel(ScriptedSes({"owner@example.org": error})).send_one(mail())
    # THEN the error says what it means for the sender, by SES's code, and never repeats SES's text
    assert (not_sent.value.verdict, not_sent.value.status) == (verdict, status)
    assert not_sent.value.params["reason"] == error.response["Error"]["Code"]
    assert "example.org" not in str(not_sent.value.params)
    assert ("Retry-After" in not_sent.value.headers) == (status == 503)


def test_a_sent_mail_tagged_with_an_account_is_remembered_by_its_message_id():
    remembered = RememberedMail()
    send = channel(ScriptedSes(), sent_mail=remembered)
    message_id = send.send_one(mail(account="acc-1", kind="test"))
    send.send_one(mail())  # untagged: nobody to tell of its bounces
    assert [(mid, origin.account_id) for mid, origin in remembered.origins] == [(message_id, "acc-1")]
