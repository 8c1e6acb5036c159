"""PynamoDB model of the job runs table."""

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model


class JobRunModel(Model):
    class Meta:
        table_name = None  # bound from the settings on first use
        region = None

    job = UnicodeAttribute(hash_key=True)
    started_at = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)
    summary = JSONAttribute(null=True)
    expires_at = NumberAttribute()  # DynamoDB TTL
