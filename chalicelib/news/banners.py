"""The news's banners above every app page: a maintenance window, from its start until its end."""

from chalicelib import i18n
from chalicelib.i18n import N_
from chalicelib.web.banners import Banner

MAINTENANCE_PREFIX = N_("Maintenance:")


def banners_for(news, account) -> list[Banner]:
    """The maintenance banners shown to this account now, in the page's language."""
    language = i18n.current_language()
    return [Banner(text=f"{i18n.gettext(MAINTENANCE_PREFIX)} {banner.text.get(language) or banner.text.get('nl', '')}",
                   link=banner.link, link_text=None, kind="maintenance")
            for banner in news.banners_for(account)]
