"""The account as the domain sees it: plain data, statuses and plans as named constants."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class AccountStatus(str, Enum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class Plan(str, Enum):
    """Service packages; later features attach quotas to them."""

    FREE = "free"
    STARTER = "starter"
    PROFESSIONAL = "professional"


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
    version: int | None = None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    PROFILE_FIELDS = ("name", "phone", "street", "postcode", "city", "country", "company_name", "coc_number",
                      "vat_number", "website")
