"""The service packages and their limits, in one place (P7).

Each plan (`chalicelib.accounts.account.Plan`: Free, Starter, Professional) has four limits: the
contacts an account may keep, the recipients its campaigns may reach in a calendar month (UTC),
the bytes of images and templates it may store, and its own sending domains. The usage service
(`service.py`) checks them before work is queued; the Usage page and the README show them.
"""

from dataclasses import dataclass
from enum import Enum

from chalicelib.accounts.account import Plan
from chalicelib.i18n import N_

MB = 1000 * 1000  # decimal units, as the pages show sizes (`formatting.format_bytes`): 50 MB reads as 50 MB
GB = 1000 * MB


class Meter(str, Enum):
    """What is metered per account. The values are the attribute names in the usage items; the
    first three existed before this package and keep their names, so earlier months still read."""

    CAMPAIGNS = "campaigns_started"
    MAILS_SENT = "mails_sent"
    BYTES_SENT = "bytes_sent"
    RECIPIENTS = "recipients"  # recipients of campaigns this month: the quota counter
    IMPORTS = "imports"
    CONTACTS_IMPORTED = "contacts_imported"
    # gauges: the current amount, not a monthly sum (the month's item keeps the last value seen)
    CONTACTS = "contacts"
    STORAGE_BYTES = "storage_bytes"
    SENDING_DOMAINS = "sending_domains"


GAUGES = (Meter.CONTACTS, Meter.STORAGE_BYTES, Meter.SENDING_DOMAINS)
MONTHLY = (Meter.CAMPAIGNS, Meter.RECIPIENTS, Meter.MAILS_SENT, Meter.BYTES_SENT, Meter.IMPORTS,
           Meter.CONTACTS_IMPORTED)
LIMITED = (Meter.CONTACTS, Meter.RECIPIENTS, Meter.STORAGE_BYTES, Meter.SENDING_DOMAINS)
IN_BYTES = frozenset({Meter.STORAGE_BYTES, Meter.BYTES_SENT})

METER_NAMES = {
    Meter.CAMPAIGNS: N_("Campaigns started"), Meter.MAILS_SENT: N_("Mails sent"), Meter.BYTES_SENT: N_("Data sent"),
    Meter.RECIPIENTS: N_("Recipients this month"), Meter.IMPORTS: N_("Imports"),
    Meter.CONTACTS_IMPORTED: N_("Contacts imported"), Meter.CONTACTS: N_("Contacts"),
    Meter.STORAGE_BYTES: N_("Images and templates stored"), Meter.SENDING_DOMAINS: N_("Sending domains"),
}
# What each limit is called in the table of plans
LIMIT_NAMES = {Meter.CONTACTS: N_("Contacts"), Meter.RECIPIENTS: N_("Recipients a month"),
               Meter.STORAGE_BYTES: N_("Images and templates stored"), Meter.SENDING_DOMAINS: N_("Sending domains")}


@dataclass(frozen=True)
class Limits:
    contacts: int
    recipients_per_month: int
    storage_bytes: int
    sending_domains: int

    def of(self, meter: Meter) -> int | None:
        """The limit on one meter; None for a meter without one."""
        return {Meter.CONTACTS: self.contacts, Meter.RECIPIENTS: self.recipients_per_month,
                Meter.STORAGE_BYTES: self.storage_bytes, Meter.SENDING_DOMAINS: self.sending_domains}.get(meter)


FREE = Limits(contacts=500, recipients_per_month=2_500, storage_bytes=50 * MB, sending_domains=2)
STARTER = Limits(contacts=5_000, recipients_per_month=50_000, storage_bytes=500 * MB, sending_domains=5)
PROFESSIONAL = Limits(contacts=50_000, recipients_per_month=500_000, storage_bytes=5 * GB, sending_domains=10)

PLAN_LIMITS = {Plan.FREE: FREE, Plan.STARTER: STARTER, Plan.PROFESSIONAL: PROFESSIONAL}


def limits_for(plan: Plan) -> Limits:
    return PLAN_LIMITS[plan]
