"""PynamoDB models of the audience table: one table, one partition per account.

  pk ACCOUNT#<account>  sk LIST#<list>                 a list
  pk LIST#<list>        sk REF                         which account a list belongs to (public forms)
  pk ACCOUNT#<account>  sk CONTACT#<contact>           a contact, its fields, and its first list's membership
  pk ACCOUNT#<account>  sk MEMBER#<contact>#<list>     a contact's status on any further list
  pk ACCOUNT#<account>  sk SUPPRESSED#<address hash>   never mail this address again (this account)
  pk ACCOUNT#<account>  sk FIELD#<key>                 a custom field the account defined, with its type
  pk ACCOUNT#<account>  sk SEGMENT#<segment>           a saved filter over a list
  pk ACCOUNT#<account>  sk IMPORT#<import>             a CSV import: file, mapping, declared lawful basis, progress
  pk ACCOUNT#<account>  sk GROWTH#<YYYY-MM-DD>         that day's counters: contacts added, removed, unsubscribed (ADD)

A contact's id is derived from its address (see audience.contact_id_for), so the address is unique
per account without a separate claim item, and a new contact joining a list is ONE item: the
membership of the first list a contact joins lives on the contact item itself (home_list), further
memberships are MEMBER items. That is what makes an import cost one write per contact.

The by-list index (gsi1pk LIST#<list>, gsi1sk <status>#<contact>) holds contact items and member
items alike and pages through a list's members by status: campaigns read the subscribed ones. It
projects everything, so a campaign reads most recipients' fields straight from the index. The
by-address index (pk, email_key) lists and searches an account's contacts by address.

The sparse by-joined index (gsi2pk <account>#<list>#<status>, gsi2sk <joined at>#<contact>) holds the
same contact and member items, written with every membership write: a list's members by status,
newest or oldest first. "Joined" is when the membership got its status (the membership's time).
Memberships stored before it are put in by the `audience-joined-index` backfill
(repository.DynamoAudience.backfill_joined_index); until that ran, a list pages in the by-list order.

The sparse by-added index (gsi3pk ACCOUNT#<account>, gsi3sk <created at>#<contact>) holds only contact
items, written when a contact is created: the account's contacts newest or oldest first (/contacts).
Contacts stored before it are put in by the `audience-added-index` backfill
(repository.DynamoAudience.backfill_added_index); until that ran, /contacts offers the address order only.
"""

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
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


class ByList(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-list"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByJoined(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-joined"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class ByAdded(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-added"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class ByAddress(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-address"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    email_key = UnicodeAttribute(range_key=True)


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
    # the membership of the contact's first list (see the module docstring)
    list_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    consent = JSONAttribute(null=True)
    member_updated_at = UTCDateTimeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_list = ByList()
    by_address = ByAddress()
    by_joined = ByJoined()
    by_added = ByAdded()


class MembershipModel(_AudienceItem):
    list_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    status = UnicodeAttribute()
    consent = JSONAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_list = ByList()


class CustomFieldModel(_AudienceItem):
    key = UnicodeAttribute()
    label = UnicodeAttribute()
    field_type = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class SegmentModel(_AudienceItem):
    segment_id = UnicodeAttribute()
    name = UnicodeAttribute()
    list_id = UnicodeAttribute()
    match = UnicodeAttribute()
    conditions = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class ImportModel(_AudienceItem):
    import_id = UnicodeAttribute()
    list_id = UnicodeAttribute()
    file_name = UnicodeAttribute()
    file_key = UnicodeAttribute()
    status = UnicodeAttribute()
    mapping = JSONAttribute(null=True)
    headers = JSONAttribute(null=True)
    encoding = UnicodeAttribute(null=True)
    delimiter = UnicodeAttribute(null=True)
    lawful_basis = UnicodeAttribute(null=True)
    declaration = JSONAttribute(null=True)
    counts = JSONAttribute(null=True)
    rows_done = NumberAttribute(default=0)
    report_key = UnicodeAttribute(null=True)
    problem = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class SuppressionModel(_AudienceItem):
    email = UnicodeAttribute(null=True)  # None once the contact is erased: only the hash remains
    reason = UnicodeAttribute()
    source = UnicodeAttribute()
    at = UTCDateTimeAttribute()
