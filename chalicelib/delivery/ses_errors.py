"""What SES's answer means for one mail: sent, failed for good, retry later, halt, or unknown.

Every path to SES classifies its errors here, the same way: the campaign engine
(`chalicelib.delivery.campaign_sender`) for each recipient of a batch, and `MailEngine.send_one`
(`chalicelib.delivery.engine`) for transactional mail and test sends.

- RETRY: SES did not take the mail and says so (throttling), or the request never reached SES.
  Safe to send again, after a pause.
- FAILED: SES refused this mail for good (MessageRejected, a bad parameter, any other 4xx).
- HALT: SES refuses the account's mail right now (sending paused, suspended, an unverified MAIL
  FROM domain): nothing is wrong with the recipient; stop, and retry later.
- UNKNOWN: SES may have taken the mail before failing (a 5xx, a read time-out, a dropped
  connection). Never sent again automatically: SES's SendEmail has no idempotency key.

The reason that goes with a verdict is SES's error code or status, never its message text (which
can hold addresses).
"""

from enum import Enum

# SES v2 error codes, by what they mean for one recipient's mail.
THROTTLING_CODES = frozenset({"TooManyRequestsException", "Throttling", "ThrottlingException",
                              "LimitExceededException"})
REFUSAL_CODES = frozenset({"MessageRejected", "BadRequestException", "InvalidParameterValue"})
# The account cannot send at all right now: nothing is wrong with the recipient; stop and retry later.
HALTING_CODES = frozenset({"AccountSuspendedException", "SendingPausedException",
                           "MailFromDomainNotVerifiedException", "NotFoundException"})


class Verdict(Enum):
    SKIPPED = "skipped"  # never handed to SES: the recipient may no longer be mailed (campaigns)
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    RETRY = "retry"
    HALT = "halt"  # retry later, and send nothing more in this batch


def classify_ses_error(error: Exception) -> tuple[Verdict, str]:
    """What a SendEmail error means for that one mail, and a reason without personal data."""
    from botocore import exceptions as botocore_errors

    response = getattr(error, "response", None)
    if isinstance(error, botocore_errors.ClientError) and isinstance(response, dict):
        code = response.get("Error", {}).get("Code") or "Unknown"
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if code in THROTTLING_CODES:
            return Verdict.RETRY, code
        if code in HALTING_CODES:
            return Verdict.HALT, code
        if code in REFUSAL_CODES or 400 <= status < 500:
            return Verdict.FAILED, code
        return Verdict.UNKNOWN, code  # a 5xx: SES may have taken the mail before failing
    if isinstance(error, botocore_errors.ParamValidationError):
        return Verdict.FAILED, "invalid-request"
    if isinstance(error, botocore_errors.ConnectionError):  # never reached SES
        return Verdict.RETRY, type(error).__name__
    return Verdict.UNKNOWN, type(error).__name__  # a read time-out, a dropped connection...


# What SES's answer for one entry of a SendBulkEmail means for that mail.
BULK_STATUS_VERDICTS = {
    "SUCCESS": Verdict.SENT,
    "MESSAGE_REJECTED": Verdict.FAILED, "INVALID_PARAMETER": Verdict.FAILED, "FAILED": Verdict.FAILED,
    "ACCOUNT_THROTTLED": Verdict.RETRY, "TRANSIENT_FAILURE": Verdict.RETRY,
    "ACCOUNT_SUSPENDED": Verdict.HALT, "ACCOUNT_SENDING_PAUSED": Verdict.HALT,
    "ACCOUNT_DAILY_QUOTA_EXCEEDED": Verdict.HALT, "CONFIGURATION_SET_SENDING_PAUSED": Verdict.HALT,
    "CONFIGURATION_SET_NOT_FOUND": Verdict.HALT, "MAIL_FROM_DOMAIN_NOT_VERIFIED": Verdict.HALT,
    "TEMPLATE_NOT_FOUND": Verdict.HALT, "INVALID_SENDING_POOL_NAME": Verdict.HALT,
}


def bulk_verdict(answer) -> tuple[Verdict, str]:
    """An entry's verdict and detail (the message id, or the status), from SES's answer for it (a
    `chalicelib.delivery.sender.BulkEntryResult`). A status SES may add later is "unknown": the mail
    may have gone, so it is never resent."""
    verdict = BULK_STATUS_VERDICTS.get(answer.status, Verdict.UNKNOWN)
    if verdict is Verdict.SENT:
        return (verdict, answer.message_id) if answer.message_id else (Verdict.UNKNOWN, "no-message-id")
    return verdict, answer.status or "no-status"
