"""What a SendEmail error means for one recipient: retry, failed for good, halt, or unknown."""

import pytest
from botocore.exceptions import (ClientError, ConnectionClosedError, EndpointConnectionError, ParamValidationError,
                                 ReadTimeoutError)

from chalicelib.delivery.ses_errors import Verdict, classify_ses_error


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "SendEmail")


@pytest.mark.parametrize("error, verdict", [
    (client_error("TooManyRequestsException", 429), Verdict.RETRY),
    (client_error("Throttling", 400), Verdict.RETRY),
    (client_error("LimitExceededException", 400), Verdict.RETRY),
    (client_error("MessageRejected", 400), Verdict.FAILED),
    (client_error("BadRequestException", 400), Verdict.FAILED),
    (client_error("SendingPausedException", 400), Verdict.HALT),
    (client_error("AccountSuspendedException", 400), Verdict.HALT),
    (client_error("InternalFailure", 500), Verdict.UNKNOWN),
    (ParamValidationError(report="bad"), Verdict.FAILED),
    (EndpointConnectionError(endpoint_url="https://email.eu-west-1.amazonaws.com"), Verdict.RETRY),
    (ReadTimeoutError(endpoint_url="https://email.eu-west-1.amazonaws.com"), Verdict.UNKNOWN),
    (ConnectionClosedError(endpoint_url="https://email.eu-west-1.amazonaws.com"), Verdict.UNKNOWN),
    (RuntimeError("anything else"), Verdict.UNKNOWN),
], ids=["too-many-requests", "throttling", "limit-exceeded", "rejected", "bad-request", "sending-paused",
        "suspended", "5xx", "param-validation", "no-connection", "read-timeout", "connection-closed", "other"])
def test_ses_error_is_classified_by_what_it_says_about_the_mail(error, verdict):
    # GIVEN an error from SendEmail
    # WHEN it is classified
    # THEN throttling is retried, refusals fail, account-wide refusals halt, and anything after which SES
    # may have taken the mail is "unknown" (never resent)
    assert classify_ses_error(error)[0] is verdict
