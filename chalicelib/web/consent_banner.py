"""Whether the page being rendered shows the cookie banner (P9), and where its form sends the visitor back.

The HTTP middleware binds each request (`bind`), as it sets the language; `render_page` puts the
state in every page's context and the base layout shows the banner while the visitor has made no
valid choice (`chalicelib.web.consent_cookie`). Not inside another site's frame (the embeddable
sign-up form): a cookie set there would not be kept, so the banner would never go away, and with no
choice nothing but essential cookies is used anyway.

`safe_return_path` is the one check of where the consent form may redirect: a path on this site.
"""

import contextvars
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from chalicelib.web.consent_cookie import ConsentChoice, from_cookies

MAX_RETURN_PATH = 2000  # characters; a longer one is not a page of ours


@dataclass(frozen=True)
class BannerState:
    choice: ConsentChoice | None  # the visitor's valid choice; None: none made yet
    return_to: str  # this page's path and query: where the banner's form returns to
    framed: bool = False  # the page is shown inside a frame

    @property
    def shown(self) -> bool:
        return self.choice is None and not self.framed


_current = contextvars.ContextVar("consent_banner", default=BannerState(choice=None, return_to="/"))


def bind(cookies: dict[str, str], path: str, query=None, headers=None) -> None:
    """Remember the request's choice and address for the pages it renders."""
    query = query or {}
    pairs = [(name, value) for name in query for value in (query.getlist(name) if hasattr(query, "getlist")
                                                            else [query[name]])]
    return_to = safe_return_path(path + ("?" + urlencode(pairs) if pairs else ""))
    framed = (headers or {}).get("sec-fetch-dest") in ("iframe", "frame")
    _current.set(BannerState(choice=from_cookies(cookies), return_to=return_to, framed=framed))


def current() -> BannerState:
    return _current.get()


def safe_return_path(value: str | None) -> str:
    """`value` if it is a path on this site ("/..."), else "/": never another site (an open redirect)."""
    if not value or len(value) > MAX_RETURN_PATH or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"  # browsers read "/\evil.example" as "//evil.example"; control characters are no path
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value
