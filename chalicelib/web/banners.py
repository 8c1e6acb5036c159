"""A banner across the top of every page of the signed-in application.

Domains that need one (a coming policy change, a maintenance window) give the composition root a
source of banners for an account (`Services.page_banners`); `render_app_page` shows them above the
page. The text is already in the reader's language.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Banner:
    text: str
    link: str | None = None  # where to read more
    link_text: str | None = None
    dismiss_action: str | None = None  # a form POST (with the CSRF token) that hides it for this user
    kind: str = "notice"  # a CSS class: what sort of banner it is
