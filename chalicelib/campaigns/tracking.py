"""Open and click tracking through our own endpoints, with signed tokens.

An open is a 1x1 image at `{base}/t/o/{token}.gif`; a click goes to `{base}/t/c/{token}`, which
redirects. Both tokens are signed by the platform's token signer (`chalicelib.signing`, purpose
CAMPAIGN_TRACKING) over the account, campaign and contact ids; a click token adds the index of the
link in the campaign's stored link list. The redirect target is looked up by that index, so a token
can only ever lead to a URL that was in the campaign: there is no open redirect, and an altered or
forged token fails the signature check.

The purpose's key is derived from the secret passed in, so the same secret serves the unsubscribe
signer: a tracking token never verifies as an unsubscribe token or the other way round. Tokens
carry no expiry: a mail read years later still counts and its links still work.

`Tracking` answers the two endpoints: it counts an open, and sends a click on to its target
(the campaign store it reads and counts in is passed in).
"""

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from chalicelib import errors
from chalicelib.i18n import N_
from chalicelib.signing import CAMPAIGN_TRACKING, InvalidToken, TokenSigner

OPEN_KIND = "o"
CLICK_KIND = "c"
OPEN_PATH = "/t/o/"
CLICK_PATH = "/t/c/"
PIXEL_SUFFIX = ".gif"
REDIRECT_SCHEMES = frozenset({"http", "https"})

__all__ = ["Click", "ContactLinks", "InvalidToken", "Open", "Tracking", "TrackingLinks", "TrackingSigner",
           "redirect_target"]


@dataclass(frozen=True)
class Open:
    account_id: str
    campaign_id: str
    contact_id: str


@dataclass(frozen=True)
class Click:
    account_id: str
    campaign_id: str
    contact_id: str
    link_index: int


def _checked_ids(*ids: str) -> tuple[str, ...]:
    for value in ids:
        if not value or ":" in value:
            raise ValueError("tracking ids must be non-empty and free of ':'")
    return ids


class TrackingSigner:
    """Makes and checks open and click tokens."""

    def __init__(self, key: bytes):
        self._tokens = TokenSigner(key, CAMPAIGN_TRACKING)

    def _token(self, *parts: str) -> str:
        return self.signed(":".join(parts))

    def signed(self, payload: str) -> str:
        """The token for a payload already joined; the fast path of `TrackingLinks`."""
        return self._tokens.sign(payload.encode("utf-8"))

    def _parts(self, token: str, kind: str, count: int) -> list[str]:
        try:
            parts = self._tokens.verify(token).decode("utf-8").split(":")
        except UnicodeDecodeError:
            raise InvalidToken() from None
        if len(parts) != count or parts[0] != kind:
            raise InvalidToken()
        return parts[1:]

    def open_token(self, event: Open) -> str:
        return self._token(OPEN_KIND, *_checked_ids(event.account_id, event.campaign_id, event.contact_id))

    def click_token(self, click: Click) -> str:
        if click.link_index < 0:
            raise ValueError("link index must not be negative")
        return self._token(CLICK_KIND, *_checked_ids(click.account_id, click.campaign_id, click.contact_id),
                           str(click.link_index))

    def decode_open(self, token: str) -> Open:
        """The open a pixel token stands for; the `.gif` of the pixel's path may be left on."""
        account_id, campaign_id, contact_id = self._parts(token.removesuffix(PIXEL_SUFFIX), OPEN_KIND, 4)
        return Open(account_id, campaign_id, contact_id)

    def decode_click(self, token: str) -> Click:
        account_id, campaign_id, contact_id, index = self._parts(token, CLICK_KIND, 5)
        if not index.isdigit():
            raise InvalidToken()
        return Click(account_id, campaign_id, contact_id, int(index))


def redirect_target(click: Click, links: tuple[str, ...] | list[str]) -> str:
    """Where a click goes: the campaign's own link at the token's index, and nothing else.

    `links` is the stored link list of the campaign the click names (`PreparedTemplate.links`).
    """
    if not 0 <= click.link_index < len(links):
        raise InvalidToken()
    url = links[click.link_index]
    if urlsplit(url).scheme.lower() not in REDIRECT_SCHEMES:
        raise InvalidToken()
    return url


@dataclass(frozen=True)
class TrackingLinks:
    """The tracking URLs of one campaign, for the compiled campaign to put in each mail.

    `links` is the campaign's stored link list; a link's index in it is what a click token holds.
    Equal settings compare equal (the signer aside), so a compiled campaign can be cached on them.
    """

    signer: TrackingSigner = field(compare=False, repr=False)
    base_url: str
    campaign_id: str
    account_id: str
    links: tuple[str, ...]

    def __post_init__(self):
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        object.__setattr__(self, "links", tuple(self.links))
        _checked_ids(self.account_id, self.campaign_id)

    # The same payloads as TrackingSigner.open_token and click_token, with the campaign's part
    # joined once: this runs for every link of every mail.
    @cached_property
    def _campaign_part(self) -> str:
        return f"{self.account_id}:{self.campaign_id}:"

    def open_url(self, contact_id: str) -> str:
        _checked_ids(contact_id)
        token = self.signer.signed(f"{OPEN_KIND}:{self._campaign_part}{contact_id}")
        return f"{self.base_url}{OPEN_PATH}{token}{PIXEL_SUFFIX}"

    def click_url(self, contact_id: str, link_index: int) -> str:
        if not 0 <= link_index < len(self.links):
            raise IndexError("no link of the campaign has that index")
        _checked_ids(contact_id)
        token = self.signer.signed(f"{CLICK_KIND}:{self._campaign_part}{contact_id}:{link_index}")
        return f"{self.base_url}{CLICK_PATH}{token}"

    def for_contact(self, contact_id: str) -> "ContactLinks":
        return ContactLinks(self, contact_id)


class ContactLinks:
    """One recipient's click URLs by link index, each signed when a template first asks for it."""

    __slots__ = ("_contact_id", "_made", "_tracking")

    def __init__(self, tracking: TrackingLinks, contact_id: str):
        self._tracking = tracking
        self._contact_id = contact_id
        self._made: dict[int, str] = {}

    def __getitem__(self, link_index: int) -> str:
        url = self._made.get(link_index)
        if url is None:
            url = self._made[link_index] = self._tracking.click_url(self._contact_id, link_index)
        return url

    def __len__(self) -> int:
        return len(self._tracking.links)


class Tracking:
    """Opens and clicks, through our own endpoints (P14): counted per campaign, and per contact only
    to tell a first open or click from a repeated one."""

    def __init__(self, store, signer):
        self._store, self._signer = store, signer

    def opened(self, token: str) -> None:
        try:
            event = self._signer().decode_open(token)
        except InvalidToken:
            return  # a pixel answers the same to everyone: nothing to learn from a bad token
        if self._store.campaign_state(event.campaign_id) is not None:
            self._store.record_engagement(event.campaign_id, "open", event.contact_id)

    def clicked(self, token: str) -> str:
        """Where the link goes; refused unless it is one of the campaign's own links (no open redirect)."""
        try:
            click = self._signer().decode_click(token)
            campaign = self._store.get_campaign(click.account_id, click.campaign_id)
            if campaign is None or not campaign.content:
                raise InvalidToken()
            target = redirect_target(click, campaign.content["links"])
        except InvalidToken:
            raise errors.NotFound(N_("This link is not valid. Copy the whole link from the mail.")) from None
        self._store.record_engagement(click.campaign_id, "click", click.contact_id, click.link_index)
        return target
