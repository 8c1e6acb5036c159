"""A privacy policy change as an entry of the account's news page (P17): announced, with its date
and a link to the changes; or withdrawn before it took effect. The entry stays after the date."""

from chalicelib.news.items import NewsItem, NewsKind
from chalicelib.notices.policy import PolicyStatus
from chalicelib.notices.policy_notice import long_date


def policy_news_item(version) -> NewsItem:
    """The news entry of an announced or withdrawn version (one per version and event: publishing
    it again keeps one entry)."""
    if version.status is PolicyStatus.WITHDRAWN:
        return NewsItem(
            kind=NewsKind.POLICY, published_at=version.withdrawn_at, link="/privacy",
            key=f"policy-{version.number}-withdrawn",
            title={"nl": f"Aangekondigde wijziging van het privacybeleid ingetrokken (versie {version.number})",
                   "en": f"Announced privacy policy change withdrawn (version {version.number})"},
            body={"nl": f"De wijziging die op {long_date(version.effective_on, 'nl')} zou ingaan, gaat niet door. "
                        "Het privacybeleid dat nu geldt, blijft van kracht.",
                  "en": f"The change that was to take effect on {long_date(version.effective_on, 'en')} will not "
                        "happen. The privacy policy in force now stays in force."})
    return NewsItem(
        kind=NewsKind.POLICY, published_at=version.announced_at, link="/privacy#changes",
        key=f"policy-{version.number}",
        title={"nl": f"Ons privacybeleid verandert op {long_date(version.effective_on, 'nl')}",
               "en": f"Our privacy policy changes on {long_date(version.effective_on, 'en')}"},
        body={"nl": f"Versie {version.number} van ons privacybeleid gaat in op {long_date(version.effective_on, 'nl')}. "
                    "Lees wat er verandert op de pagina Privacybeleid.",
              "en": f"Version {version.number} of our privacy policy takes effect on "
                    f"{long_date(version.effective_on, 'en')}. Read what changes on the Privacy policy page."})
