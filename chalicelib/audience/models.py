"""PynamoDB models of the audience table: one table, one partition per account.

  pk ACCOUNT#<account>  sk LIST#<list>                 a list
  pk LIST#<list>        sk REF                         which account a list belongs to (public forms)
  pk ACCOUNT#<account>  sk CONTACT#<contact>           a contact and its fields
  pk ACCOUNT#<account>  sk EMAIL#<address key>         makes a contact unique per account by address
  pk ACCOUNT#<account>  sk MEMBER#<list>#<contact>     a contact's status on a list, with its consent record
  pk ACCOUNT#<account>  sk SUPPRESSED#<address hash>   never mail this address again (this account)
The by-list index (gsi1pk LIST#<list>, gsi1sk <status>#<contact>) pages through a list's members by
status: campaigns read the subscribed ones.
"""

from pynamodb.attributes import JSONAttribute, ListAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class _AudienceItem(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ListModel(_AudienceItem):
    list_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class ListRefModel(_AudienceItem):
    account_id = UnicodeAttribute()


class ContactModel(_AudienceItem):
    contact_id = UnicodeAttribute()
    email = UnicodeAttribute()
    email_key = UnicodeAttribute()
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    fields = JSONAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class ContactEmailModel(_AudienceItem):
    contact_id = UnicodeAttribute()


class ByList(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-list"
        projection = KeysOnlyProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class MembershipModel(_AudienceItem):
    list_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    status = UnicodeAttribute()
    consent = JSONAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_list = ByList()


class SuppressionModel(_AudienceItem):
    email = UnicodeAttribute(null=True)  # None once the contact is erased: only the hash remains
    reason = UnicodeAttribute()
    source = UnicodeAttribute()
    at = UTCDateTimeAttribute()
