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


@dataclass(frozen=True)
class MailOrigin:
    """Whose mail it was: the account, and for campaign mail the campaign, contact and list.

    Known from the SES message id the sender recorded (`chalicelib.delivery.sent_mail`), else from
    the tags SES echoes in configuration-set events, else from a signed header of the mail.
    """

    account_id: str
    campaign_id: str | None = None
    contact_id: str | None = None
    list_id: str | None = None  # from tags or a header; the send record keeps only `list_mail`
    list_mail: bool = False  # sent to a list's member (not to the account holder): bounces suppress

    @property
    def for_list(self) -> bool:
        return self.list_mail or self.list_id is not None

    def same_mail_as(self, other: "MailOrigin") -> bool:
        return (self.account_id, self.campaign_id, self.contact_id) == \
            (other.account_id, other.campaign_id, other.contact_id)

    @classmethod
    def from_tags(cls, tags: dict | None) -> "MailOrigin | None":
        """From SES event tags ({"account": ["..."], ...}, as SES publishes them); None without an account."""
        def first(name):
            values = (tags or {}).get(name) or []
            return values[0] if values else None

        account_id = first("account")
        if not account_id:
            return None
        list_id = first("list")
        return cls(account_id, first("campaign"), first("contact"), list_id, list_mail=list_id is not None)
