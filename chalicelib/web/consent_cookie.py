"""The visitor's cookie choice (P9) as the first-party cookie carries it.

One small cookie, readable by the page's script so the beacon can stay silent without asking the
server: ``<banner version>.<choices>``, for example ``1.essential``, ``1.analytics`` or
``1.analytics.marketing`` (dots, because a cookie value may not hold commas). No cookie, a malformed
one or one from an older banner version means no choice has been made: ask again, and behave as
"essential only" until then.
"""

from dataclasses import dataclass

COOKIE = "mx_consent"
BANNER_VERSION = 1
MAX_AGE_SECONDS = 182 * 24 * 3600  # ask again after six months, as the Autoriteit Persoonsgegevens advises
_KINDS = ("analytics", "marketing")


@dataclass(frozen=True)
class ConsentChoice:
    analytics: bool = False
    marketing: bool = False
    version: int = BANNER_VERSION

    @property
    def value(self) -> str:
        chosen = [kind for kind in _KINDS if getattr(self, kind)]
        return f"{self.version}." + (".".join(chosen) or "essential")


ESSENTIAL_ONLY = ConsentChoice()


def parse(value: str | None) -> ConsentChoice | None:
    """The choice a cookie value records, or None when there is none for the current banner."""
    if not value:
        return None
    version, _, rest = value.partition(".")
    kinds = set(rest.split("."))
    if version != str(BANNER_VERSION) or not rest or not kinds <= {*_KINDS, "essential"}:
        return None
    if "essential" in kinds and len(kinds) > 1:
        return None
    return ConsentChoice(analytics="analytics" in kinds, marketing="marketing" in kinds)


def from_cookies(cookies: dict[str, str]) -> ConsentChoice | None:
    return parse(cookies.get(COOKIE))
