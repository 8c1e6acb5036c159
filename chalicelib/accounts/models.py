"""PynamoDB models of the accounts, auth and audit tables. Table names are bound on first use.

accounts table, one item kind per key prefix:
  ACCOUNT#<account id>          the account holder's profile and credentials
  EMAIL#<normalised address>    claims an address for one account (registration is unique by it)
auth table (everything here expires through TTL):
  SESSION#<sha256 of the id>    a browser session; the cookie holds only the random id
  LINK#<sha256 of the token>    a single-use link sent by mail (verification, password reset)
  REMEMBER#<selector>           a remembered device: a hash of the validator half of its cookie
  THROTTLE#<what>#<whom>#<t>    failed attempts in one time window
audit log table: append-only; one item per security-relevant event, per subject.
"""

from pynamodb.attributes import (BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute,
                                 UTCDateTimeAttribute, VersionAttribute)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class AccountModel(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()
    email = UnicodeAttribute()
    email_verified_at = UTCDateTimeAttribute(null=True)
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    street = UnicodeAttribute()
    postcode = UnicodeAttribute()
    city = UnicodeAttribute()
    country = UnicodeAttribute()
    company_name = UnicodeAttribute(null=True)
    coc_number = UnicodeAttribute(null=True)
    vat_number = UnicodeAttribute(null=True)
    website = UnicodeAttribute(null=True)
    language = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    password_changed_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    plan = UnicodeAttribute()
    staff = BooleanAttribute(default=False)
    product_news = BooleanAttribute(default=False)
    product_news_consent = JSONAttribute(null=True)
    campaign_tracking = BooleanAttribute(null=True)  # None: on (accounts from before the choice existed)
    totp_secret = UnicodeAttribute(null=True)
    totp_pending_secret = UnicodeAttribute(null=True)
    recovery_code_hashes = JSONAttribute(null=True)
    sending_paused_at = UTCDateTimeAttribute(null=True)  # campaigns stopped for bad reputation (delivery/reputation.py)
    sending_paused_reason = JSONAttribute(null=True)  # why: which limit, and the rates at that moment
    created_at = UTCDateTimeAttribute()
    version = VersionAttribute()  # optimistic locking: concurrent edits never overwrite each other


class EmailClaimModel(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()


class AccountIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-account"
        projection = KeysOnlyProjection()

    account_id = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class SessionModel(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()
    csrf_token = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute()  # TTL: the absolute timeout
    by_account = AccountIndex()


class RememberTokenModel(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)  # REMEMBER#<selector>
    account_id = UnicodeAttribute()
    validator_hash = UnicodeAttribute()
    previous_validator_hash = UnicodeAttribute(null=True)  # accepted for a few seconds after a rotation
    device = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()  # when the device was first remembered
    last_used_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute()  # TTL: 30 days after the device was first remembered
    by_account = AccountIndex()


class ExportModel(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)  # EXPORT#<export id>
    account_id = UnicodeAttribute()
    list_id = UnicodeAttribute(null=True)  # set for a list's CSV export; None for all the account's data
    segment_id = UnicodeAttribute(null=True)  # set when the list's CSV export holds one segment's members
    status = UnicodeAttribute()
    progress = NumberAttribute(default=0)
    object_key = UnicodeAttribute(null=True)
    requested_at = UTCDateTimeAttribute()
    ready_at = UTCDateTimeAttribute(null=True)
    expires_at = NumberAttribute()
    by_account = AccountIndex()


class PendingLoginModel(Model):
    """A password accepted, the second factor not yet: no session exists until it is."""

    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)  # PENDING#<sha256 of the cookie value>
    account_id = UnicodeAttribute()
    remember_me = BooleanAttribute(default=False)
    device = UnicodeAttribute()
    expires_at = NumberAttribute()


class ThrottleModel(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)  # THROTTLE#<what>#<whom>#<window start>
    attempts = NumberAttribute(default=0)
    expires_at = NumberAttribute()


class LinkModel(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()
    purpose = UnicodeAttribute()
    payload = JSONAttribute(null=True)
    used_at = UTCDateTimeAttribute(null=True)
    valid_until = NumberAttribute()
    expires_at = NumberAttribute()  # TTL, a while after valid_until so a reused link is told apart
    by_account = AccountIndex()


class AuditEntryModel(Model):
    class Meta:
        table_name = None
        region = None

    subject = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)
    event = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    ip_prefix = UnicodeAttribute(null=True)
    details = JSONAttribute(null=True)
    expires_at = NumberAttribute(null=True)
