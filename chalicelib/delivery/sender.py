"""SES v2 sender: hands a rendered mail to SES as a simple message (SES builds the MIME)."""

import re

_TAG_VALUE = re.compile(r"[^A-Za-z0-9_\-.@]")


class SesSender:
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
            # SES only accepts tag values of letters, digits and _-.@
            "EmailTags": [{"Name": name, "Value": _TAG_VALUE.sub("_", str(value))[:256]}
                          for name, value in sorted(mail.tags.items())],
        }
        if mail.reply_to:
            request["ReplyToAddresses"] = list(mail.reply_to)
        return self._client.send_email(**request)["MessageId"]
