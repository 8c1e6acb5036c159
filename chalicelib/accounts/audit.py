"""The audit log (P11): append-only, one entry per security-relevant event.

No code path updates or deletes an entry, and the infrastructure grants no such permission.
Entries name the account by its random id only, never by name or address, and keep the first
three octets of an IP address (or an IPv6 /48): after erasure they are pseudonymous.
"""

import ipaddress
import uuid
from datetime import datetime, timezone
from enum import Enum

from chalicelib.dynamo import bind

ACCOUNT_SUBJECT = "ACCOUNT#"
AUDIT_RETENTION_S = 7 * 365 * 24 * 3600  # the longest Dutch retention duty for business records


class AuditEvent(str, Enum):
    REGISTERED = "account.registered"
    REGISTRATION_FOR_TAKEN_ADDRESS = "account.registration_for_taken_address"
    EMAIL_VERIFIED = "account.email_verified"
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGGED_OUT = "login.logged_out"
    PROFILE_CHANGED = "account.profile_changed"
    PASSWORD_CHANGED = "account.password_changed"
    PASSWORD_RESET_REQUESTED = "account.password_reset_requested"
    LOGIN_REMEMBERED = "login.remembered_device"
    DEVICE_REMEMBERED = "device.remembered"
    DEVICE_FORGOTTEN = "device.forgotten"
    REMEMBER_THEFT_SUSPECTED = "device.theft_suspected"
    DEACTIVATED = "account.deactivated"
    REACTIVATED = "account.reactivated"
    PRODUCT_NEWS_CONSENT_GIVEN = "consent.product_news_given"
    PRODUCT_NEWS_CONSENT_WITHDRAWN = "consent.product_news_withdrawn"
    PLAN_CHANGED = "account.plan_changed"
    EMAIL_CHANGE_REQUESTED = "account.email_change_requested"
    EMAIL_CHANGED = "account.email_changed"
    STAFF_GRANTED = "staff.granted"
    STAFF_REVOKED = "staff.revoked"
    SENDING_PAUSED = "sending.paused"  # bounce or complaint rate over the limit (delivery.reputation)
    SENDING_RESUMED = "sending.resumed"
    EXPORT_REQUESTED = "data.export_requested"
    EXPORT_READY = "data.export_ready"
    EXPORT_DOWNLOADED = "data.export_downloaded"
    ERASED = "data.account_erased"
    TWO_FACTOR_ENABLED = "2fa.enabled"
    TWO_FACTOR_DISABLED = "2fa.disabled"
    TWO_FACTOR_FAILED = "2fa.failed"
    RECOVERY_CODE_USED = "2fa.recovery_code_used"
    ANNOUNCEMENT_PUBLISHED = "staff.announcement_published"  # a service announcement (chalicelib.news)
    PRODUCT_NEWS_PUBLISHED = "staff.product_news_published"
    PARTNER_STATISTICS_EXPORTED = "staff.partner_statistics_exported"  # details: which export, which format
    # testimonials (P15): the customer's consent, and every staff action on a testimonial
    TESTIMONIAL_CONSENT_GIVEN = "consent.testimonial_given"
    TESTIMONIAL_CONSENT_WITHDRAWN = "consent.testimonial_withdrawn"
    TESTIMONIAL_CHANGE_DECLINED = "consent.testimonial_change_declined"
    TESTIMONIAL_PUBLISHED = "staff.testimonial_published"
    TESTIMONIAL_UNPUBLISHED = "staff.testimonial_unpublished"
    TESTIMONIAL_CHANGE_PROPOSED = "staff.testimonial_change_proposed"
    TESTIMONIAL_WITHDRAWN_ON_REQUEST = "staff.testimonial_withdrawn_on_request"


def ip_prefix(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class DynamoAuditLog:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.accounts.models import AuditEntryModel

        bind(AuditEntryModel, table_name, region, host)
        self._model = AuditEntryModel

    def record(self, account_id: str, event: AuditEvent, ip: str | None = None, **details) -> None:
        now = datetime.now(timezone.utc)
        self._model(subject=ACCOUNT_SUBJECT + account_id, entry_key=f"{now.isoformat()}#{uuid.uuid4().hex[:8]}",
                    event=event.value, at=now, ip_prefix=ip_prefix(ip), details=details or None,
                    expires_at=int(now.timestamp()) + AUDIT_RETENTION_S).save(
            condition=self._model.subject.does_not_exist())  # append, never overwrite

    def entries(self, account_id: str, limit: int = 100) -> list[dict]:
        return [{"event": e.event, "at": e.at.isoformat(), "ip_prefix": e.ip_prefix, "details": e.details}
                for e in self._model.query(ACCOUNT_SUBJECT + account_id, scan_index_forward=False, limit=limit)]
