"""PynamoDB model of the mail events table. The table name is bound on first use, not at import."""

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model


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

