"""The two shapes of a mail: the request to send one, and the rendered mail handed to SES."""

import json
from dataclasses import asdict, dataclass, field

from chalicelib import errors
from chalicelib.i18n import N_


@dataclass(frozen=True)
class MailRequest:
    """A transactional mail to send: which template, to whom, in which language, with what data.

    This is what travels through the mail queue; rendering happens in the sender, so a queued
    mail always uses the templates of the code that sends it.
    """

    template: str
    to: tuple[str, ...]
    language: str
    context: dict = field(default_factory=dict)
    reply_to: tuple[str, ...] = ()
    tags: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, body: str) -> "MailRequest":
        try:
            data = json.loads(body)
            return cls(template=data["template"], to=tuple(data["to"]), language=data["language"],
                       context=dict(data.get("context") or {}), reply_to=tuple(data.get("reply_to") or ()),
                       tags=dict(data.get("tags") or {}))
        except (ValueError, KeyError, TypeError) as bad:
            raise errors.MalformedRequest(N_("The queued mail request is malformed.")) from bad


@dataclass(frozen=True)
class OutgoingMail:
    """A rendered mail, ready for SES: both parts, and any extra headers (List-Unsubscribe...)."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    reply_to: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    tags: dict = field(default_factory=dict)
    from_address: str | None = None  # a campaign's own sender name; else the sender's default
