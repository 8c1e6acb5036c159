"""Service announcements (P16) and product news (P4) as kinds of the broadcast engine
(`chalicelib.delivery.broadcast`): each published one goes to its audience exactly once per account.

A service announcement reaches every active account with a confirmed address, whatever its
marketing choice, and never a deactivated one. Product news reaches only active accounts that
opted in, as they are at the moment their mail goes out: an unsubscribe takes effect before the next
send. The message id is the announcement's or the news' id.
"""

from chalicelib.delivery.broadcast import Audience

ANNOUNCEMENT_KIND = "service-announcement"
PRODUCT_NEWS_KIND = "product-news"


class _Message:
    def __init__(self, render):
        self._render = render

    def includes(self, account) -> bool:
        return True  # the audience decides; `render` checks the account again as it is now

    def render(self, account):
        return self._render(account)


class AnnouncementBroadcasts:
    audience = Audience.ACTIVE

    def __init__(self, news):
        self._news = news  # `NewsService`

    def message(self, message_id: str):
        announcement = self._news.announcement(message_id)
        if announcement is None:
            return None
        return _Message(lambda account: self._news.announcement_mail(announcement, account))


class ProductNewsBroadcasts:
    audience = Audience.PRODUCT_NEWS

    def __init__(self, news):
        self._news = news

    def message(self, message_id: str):
        product_news = self._news.product_news(message_id)
        if product_news is None:
            return None
        return _Message(lambda account: self._news.product_news_mail(product_news, account))
