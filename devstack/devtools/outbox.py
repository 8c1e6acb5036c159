"""The local outbox: every mail the app hands to SES, exactly as SES received it.

moto's SES store drops custom headers and the text part, so the outbox records the SendEmail
request itself, captured by a botocore hook on the shared session (before parameter build for
the request, after the call for SES's message id). It is a JSON-lines file in the local state
directory, shared by `chalice local` and the event pump, which run in different processes.
"""

import copy
import email
import email.policy
import fcntl
import json
import os
from datetime import datetime, timezone

_REQUEST_KEY = "mailexpert_outbox_request"


class Outbox:
    def __init__(self, path: str):
        self.path = path

    def append(self, entry: dict) -> None:
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with open(self.path, "a", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            file.write(line)

    def mails(self) -> list[dict]:
        """Every mail, newest first."""
        try:
            with open(self.path, encoding="utf-8") as file:
                fcntl.flock(file, fcntl.LOCK_SH)
                lines = file.readlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in reversed(lines) if line.strip()]

    def find(self, message_id: str) -> dict | None:
        return next((m for m in self.mails() if m["message_id"] == message_id), None)

    def clear(self) -> None:
        with open(self.path, "w", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)


def outbox_entry(request: dict, message_id: str) -> dict:
    """The captured request plus the fields a person looks for first."""
    entry = {"message_id": message_id, "sent_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
             "request": request}
    destination = request.get("Destination", {})
    entry["from"] = request.get("FromEmailAddress")
    entry["to"] = destination.get("ToAddresses", [])
    entry["cc"] = destination.get("CcAddresses", [])
    entry["bcc"] = destination.get("BccAddresses", [])
    entry["reply_to"] = request.get("ReplyToAddresses", [])
    entry["configuration_set"] = request.get("ConfigurationSetName")
    entry["tags"] = {t["Name"]: t["Value"] for t in request.get("EmailTags", [])}
    content = request.get("Content", {})
    if "Simple" in content:
        simple = content["Simple"]
        entry["subject"] = simple["Subject"]["Data"]
        entry["headers"] = {h["Name"]: h["Value"] for h in simple.get("Headers", [])}
        entry["text"] = simple.get("Body", {}).get("Text", {}).get("Data")
        entry["html"] = simple.get("Body", {}).get("Html", {}).get("Data")
    elif "Raw" in content:
        raw = content["Raw"]["Data"]
        message = email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(),
                                           policy=email.policy.default)
        entry["subject"] = message["subject"]
        entry["headers"] = dict(message.items())
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        entry["text"] = text.get_content() if text else None
        entry["html"] = html.get_content() if html else None
        entry["request"] = {**request, "Content": {"Raw": {"Data": "<%d bytes>" % len(raw)}}}
    else:  # a stored SES template
        entry["subject"], entry["headers"], entry["text"], entry["html"] = None, {}, None, None
    return entry


def install_outbox_capture(session, outbox: Outbox, after_send=None) -> None:
    """Record every SES v2 SendEmail made through `session`; then call `after_send(entry)`."""

    def remember_request(params, context, **_):
        context[_REQUEST_KEY] = copy.deepcopy(params)

    def record_sent(parsed, context, **_):
        request = context.get(_REQUEST_KEY)
        if request is None or "MessageId" not in parsed:
            return  # the call failed: SES received nothing
        entry = outbox_entry(request, parsed["MessageId"])
        outbox.append(entry)
        if after_send is not None:
            after_send(entry)

    session.events.register("before-parameter-build.sesv2.SendEmail", remember_request)
    session.events.register("after-call.sesv2.SendEmail", record_sent)
