"""PynamoDB models of the sending domains, kept in the campaigns table beside the campaigns that use them.

  pk ACCOUNT#<account>  sk DOMAIN#<domain>   an account's sending domain: status, DKIM tokens, when checked
  pk DOMAIN#<domain>    sk CLAIM             which account holds the domain (one at a time); unverified
                                             claims lapse at claim_expires_at (no TTL: the item stays
                                             until another account takes the domain over)
"""

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model


class _Item(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class SendingDomainModel(_Item):
    domain = UnicodeAttribute()
    status = UnicodeAttribute()
    dkim_tokens = ListAttribute(of=UnicodeAttribute, null=True)
    created_at = UTCDateTimeAttribute()
    checked_at = UTCDateTimeAttribute()
    verified_at = UTCDateTimeAttribute(null=True)
    mail_from_domain = UnicodeAttribute(null=True)
    mail_from_status = UnicodeAttribute(null=True)


class DomainClaimModel(_Item):
    account_id = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()
    verified = BooleanAttribute(default=False)
    claim_expires_at = UTCDateTimeAttribute(null=True)
