"""The banners this domain puts above the app's pages, and the notice on the login and sign-up pages.

Until a pending policy version takes effect, every app page shows a banner with a link to the diff
on /privacy; the account holder can dismiss it (stored, per version). On its effective date it is
gone by itself: the pending version is derived from the clock.
"""

from chalicelib import i18n
from chalicelib.i18n import N_
from chalicelib.notices.policy_notice import long_date
from chalicelib.web.banners import Banner

POLICY_CHANGES_LINK = "/privacy#changes"
BANNER_TEXT = N_("Our privacy policy changes on %(date)s.")
LINK_TEXT = N_("See what changes")


def dismiss_path(number: int) -> str:
    return f"/privacy/dismiss/{number}"


def banners_for(account, policy) -> list[Banner]:
    """The banners above every app page for this account holder (`Services.page_banners`)."""
    version = policy.banner_version(account)
    return [] if version is None else [_coming_change(version, dismiss_action=dismiss_path(version.number))]


def public_banners(policy) -> list[Banner]:
    """The coming change on the login and sign-up pages: for everyone, never dismissible."""
    version = policy.pending()
    return [] if version is None else [_coming_change(version)]


def _coming_change(version, dismiss_action: str | None = None) -> Banner:
    text = i18n.gettext(BANNER_TEXT) % {"date": long_date(version.effective_on, i18n.current_language())}
    return Banner(text=text, link=POLICY_CHANGES_LINK, link_text=i18n.gettext(LINK_TEXT),
                  dismiss_action=dismiss_action, kind="policy-change")
