"""PynamoDB model of the mail events table. The table name is bound on first use, not at import."""

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class MailEventsByAccount(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-account"
        projection = KeysOnlyProjection()

    account_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)


class MailEventModel(Model):
    class Meta:
        table_name = None  # bound by `bind` from the settings
        region = None

    message_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)  # "<occurred_at>#<event type>"
    event_type = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    recipients = ListAttribute(of=UnicodeAttribute)
    bounce_type = UnicodeAttribute(null=True)
    bounce_subtype = UnicodeAttribute(null=True)
    complaint_type = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()  # DynamoDB TTL
    account_id = UnicodeAttribute(null=True)  # for mail to an account holder: found again on erasure
    by_account = MailEventsByAccount()

