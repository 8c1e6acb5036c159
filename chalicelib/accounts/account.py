"""The account as the domain sees it: plain data, statuses and plans as named constants."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from chalicelib.i18n import N_


class AccountStatus(str, Enum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class Plan(str, Enum):
    """Service packages; later features attach quotas to them."""

    FREE = "free"
    STARTER = "starter"
    PROFESSIONAL = "professional"


PLAN_NAMES = {Plan.FREE: N_("Free"), Plan.STARTER: N_("Starter"), Plan.PROFESSIONAL: N_("Professional")}

# The words shown beside the product-news checkbox: kept with each consent, so it is known later
# exactly what someone agreed to (P4).
PRODUCT_NEWS_CONSENT_TEXT = N_("Yes, send me MailExpert's product news and offers by e-mail. I can unsubscribe at "
                               "any moment with the link under every mail.")


@dataclass
class Account:
    account_id: str
    email: str
    name: str
    phone: str
    street: str
    postcode: str
    city: str
    country: str
    language: str
    password_hash: str
    password_changed_at: datetime
    created_at: datetime
    status: AccountStatus = AccountStatus.ACTIVE
    plan: Plan = Plan.FREE
    staff: bool = False
    email_verified_at: datetime | None = None
    company_name: str | None = None
    coc_number: str | None = None
    vat_number: str | None = None
    website: str | None = None
    product_news: bool = False  # MailExpert's own marketing mail (P4): off unless the holder opts in
    product_news_consent: dict | None = None  # when and with which words consent was given or withdrawn
    campaign_tracking: bool = True  # off: no campaign of this account counts opens and clicks (P14)
    totp_secret: str | None = None  # set once two-factor authentication is switched on
    totp_pending_secret: str | None = None  # between "set up" and the first correct code
    recovery_code_hashes: list | None = None
    sending_paused_at: datetime | None = None  # set by chalicelib.delivery.reputation; only staff lift it
    sending_paused_reason: dict | None = None
    version: int | None = None

    @property
    def plan_name(self) -> str:
        """The plan's message id, as pages show it (translate it with `_()`)."""
        return PLAN_NAMES[self.plan]

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    @property
    def may_send(self) -> bool:
        """Campaigns and imports need a confirmed address and an active account (P1, P16)."""
        return self.active and self.email_verified

    PROFILE_FIELDS = ("name", "phone", "street", "postcode", "city", "country", "company_name", "coc_number",
                      "vat_number", "website")


@dataclass(frozen=True)
class AccountFacts:
    """What aggregate statistics (P12, partner_statistics) read of an account: its plan, country and
    standing, never a name, address or credential. The id only finds its usage; it is never shown."""

    account_id: str
    plan: Plan
    country: str
    active: bool
    staff: bool
