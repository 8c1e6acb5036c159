"""SES v2 sender: hands rendered mail to SES as simple messages (SES builds the MIME).

One mail goes out with SendEmail. Many mails from the same sender go out with SendBulkEmail, up
to 50 in one call: each mail is already rendered, and rides in its entry's replacement data
through an inline template that only substitutes the whole subject, HTML and text (SES does not
escape HTML when it substitutes). Each entry keeps its own headers (List-Unsubscribe...) and tags,
and SES answers each entry with its own status and message id. One call instead of fifty is what
makes a campaign cheap in CPU: signing, HTTP and response parsing are paid once per call.
"""

import json
import re
from dataclasses import dataclass


_TAG_VALUE = re.compile(r"[^A-Za-z0-9_\-.@]")

MAX_BULK_ENTRIES = 50  # SES's limit per SendBulkEmail call
MAX_ENTRY_DATA_CHARS = 262_144  # SES's limit on one entry's ReplacementTemplateData
MAX_BULK_DATA_CHARS = 8 * 1024 * 1024  # keeps one call's request well within what SES takes
# SES's simple substitution: each part of the template is one variable, filled from the entry
BULK_TEMPLATE = {"Subject": "{{subject}}", "Html": "{{html}}", "Text": "{{text}}"}


def _tags(mail) -> list[dict]:
    # SES only accepts tag values of letters, digits and _-.@
    return [{"Name": name, "Value": _TAG_VALUE.sub("_", str(value))[:256]} for name, value in sorted(mail.tags.items())]


def bulk_entry_data(mail) -> str:
    """A mail's replacement data for the bulk template: its whole subject, HTML and text."""
    return json.dumps({"subject": mail.subject, "html": mail.html, "text": mail.text}, ensure_ascii=False)


@dataclass(frozen=True)
class BulkEntryResult:
    """SES's answer for one entry of a SendBulkEmail: a BulkEmailStatus, and the message id on SUCCESS."""

    status: str
    message_id: str | None = None
    error: str | None = None


class SesSender:
    """SES's two sending calls for one configuration set; errors are SES's own (see `ses_errors`)."""

    def __init__(self, client, from_address: str, configuration_set: str):
        self._client = client
        self._from = from_address
        self._configuration_set = configuration_set

    def send(self, mail) -> str:
        """Send one mail; returns SES's message id."""
        content = {
            "Simple": {
                "Subject": {"Data": mail.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": mail.text, "Charset": "UTF-8"},
                         "Html": {"Data": mail.html, "Charset": "UTF-8"}},
            }
        }
        if mail.headers:
            content["Simple"]["Headers"] = [{"Name": name, "Value": value} for name, value in mail.headers]
        request = {
            "FromEmailAddress": mail.from_address or self._from,
            "Destination": {"ToAddresses": list(mail.to)},
            "Content": content,
            "ConfigurationSetName": self._configuration_set,
            "EmailTags": _tags(mail),
        }
        if mail.reply_to:
            request["ReplyToAddresses"] = list(mail.reply_to)
        return self._client.send_email(**request)["MessageId"]

    def bulk_key(self, mail) -> tuple:
        """Mails with the same key can share one SendBulkEmail: what SES takes once per call."""
        return mail.from_address or self._from, tuple(mail.reply_to)

    def send_bulk(self, mails, entry_data=None) -> list[BulkEntryResult]:
        """Send up to 50 mails with the same `bulk_key` in one SendBulkEmail; SES's answer per mail,
        in order. `entry_data` may hold each mail's `bulk_entry_data`, when already computed."""
        if not mails or len(mails) > MAX_BULK_ENTRIES or len({self.bulk_key(m) for m in mails}) != 1:
            raise ValueError("a bulk send takes 1 to 50 mails of one sender")
        entry_data = entry_data or [bulk_entry_data(mail) for mail in mails]
        entries = []
        for mail, data in zip(mails, entry_data):
            entry = {"Destination": {"ToAddresses": list(mail.to)},
                     "ReplacementEmailContent": {"ReplacementTemplate": {"ReplacementTemplateData": data}},
                     "ReplacementTags": _tags(mail)}
            if mail.headers:
                entry["ReplacementHeaders"] = [{"Name": name, "Value": value} for name, value in mail.headers]
            entries.append(entry)
        from_address, reply_to = self.bulk_key(mails[0])
        request = {
            "FromEmailAddress": from_address,
            "DefaultContent": {"Template": {"TemplateContent": BULK_TEMPLATE,
                                            "TemplateData": '{"subject": "", "html": "", "text": ""}'}},
            "BulkEmailEntries": entries,
            "ConfigurationSetName": self._configuration_set,
        }
        if reply_to:
            request["ReplyToAddresses"] = list(reply_to)
        answer = self._client.send_bulk_email(**request)["BulkEmailEntryResults"]
        if len(answer) != len(mails):  # never seen; without one answer per mail, nothing is known
            return [BulkEntryResult("UNKNOWN_ANSWER") for _ in mails]
        return [BulkEntryResult(r.get("Status", ""), r.get("MessageId"), r.get("Error")) for r in answer]
