"""SES v2 SendBulkEmail, locally: moto does not implement it, so each entry goes to moto as the
SendEmail that SES would have made of it.

A botocore hook on the shared session answers SendBulkEmail before it leaves the process: for each
entry it fills the template with the entry's data the way SES's simple substitution does, sends it
with SendEmail (so the outbox and the mailbox simulator see every mail, as they do in production's
event stream), and answers with SES's per-entry statuses and message ids.
"""

import copy
import json
import re

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

_REQUEST_KEY = "mailexpert_bulk_request"
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")

# SendEmail error codes, as the status SES gives a bulk entry
_ENTRY_STATUS = {"MessageRejected": "MESSAGE_REJECTED", "MailFromDomainNotVerifiedException": "MAIL_FROM_DOMAIN_NOT_VERIFIED",
                 "TooManyRequestsException": "ACCOUNT_THROTTLED", "AccountSuspendedException": "ACCOUNT_SUSPENDED",
                 "SendingPausedException": "ACCOUNT_SENDING_PAUSED", "BadRequestException": "INVALID_PARAMETER",
                 "NotFoundException": "CONFIGURATION_SET_NOT_FOUND"}


def _substitute(text: str | None, data: dict) -> str | None:
    """SES's simple substitution: `{{name}}` becomes the value (not HTML-escaped), missing ones empty."""
    if text is None:
        return None
    return _VARIABLE.sub(lambda match: str(data.get(match.group(1), "")), text)


def single_requests(bulk: dict) -> list[dict]:
    """The SendEmail request SES makes of each entry of a SendBulkEmail request, in order."""
    template = bulk["DefaultContent"]["Template"]
    if "TemplateContent" not in template:
        raise ValueError("only inline template content is emulated")
    content = template["TemplateContent"]
    defaults = json.loads(template.get("TemplateData") or "{}")
    requests = []
    for entry in bulk["BulkEmailEntries"]:
        replacement = entry.get("ReplacementEmailContent", {}).get("ReplacementTemplate", {})
        data = {**defaults, **json.loads(replacement.get("ReplacementTemplateData") or "{}")}
        headers = {h["Name"].lower(): h for h in template.get("Headers", [])}
        headers.update({h["Name"].lower(): h for h in entry.get("ReplacementHeaders", [])})
        simple = {"Subject": {"Data": _substitute(content.get("Subject"), data) or "", "Charset": "UTF-8"},
                  "Body": {}}
        for part in ("Text", "Html"):
            if content.get(part) is not None:
                simple["Body"][part] = {"Data": _substitute(content[part], data), "Charset": "UTF-8"}
        if headers:
            simple["Headers"] = list(headers.values())
        request = {"FromEmailAddress": bulk["FromEmailAddress"], "Destination": entry["Destination"],
                   "Content": {"Simple": simple},
                   "EmailTags": entry.get("ReplacementTags") or bulk.get("DefaultEmailTags") or []}
        for name in ("ConfigurationSetName", "ReplyToAddresses"):
            if bulk.get(name):
                request[name] = bulk[name]
        requests.append(request)
    return requests


def entry_status(error_code: str) -> str:
    """The status SES gives a bulk entry that SendEmail would have refused with `error_code`."""
    return _ENTRY_STATUS.get(error_code, "FAILED")


def entry_result(send) -> dict:
    """One entry's BulkEmailEntryResult: `send()` makes its SendEmail and returns the message id."""
    try:
        return {"Status": "SUCCESS", "MessageId": send()}
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        return {"Status": entry_status(code), "Error": error.response.get("Error", {}).get("Message")}


def install_bulk_send_emulation(session, sesv2_client) -> None:
    """Answer every SendBulkEmail made through `session` with SendEmails made by `sesv2_client()`."""

    def remember_request(params, context, **_):
        context[_REQUEST_KEY] = copy.deepcopy(params)

    def answer_locally(context, **_):
        bulk = context.get(_REQUEST_KEY)
        if bulk is None:
            return None
        client = sesv2_client()
        results = [entry_result(lambda request=request: client.send_email(**request)["MessageId"])
                   for request in single_requests(bulk)]
        return (AWSResponse("http://127.0.0.1/v2/email/outbound-bulk-emails", 200, {}, None),
                {"BulkEmailEntryResults": results, "ResponseMetadata": {"HTTPStatusCode": 200}})

    session.events.register("before-parameter-build.sesv2.SendBulkEmail", remember_request)
    session.events.register("before-call.sesv2.SendBulkEmail", answer_locally)
