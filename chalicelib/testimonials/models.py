"""The PynamoDB model of testimonials, in the notices table (MailExpert's own content).

  pk TESTIMONIAL   sk <account_id>#<testimonial_id>   one testimonial with every consent given for it,
                                                     its publication, proposal, withdrawal and log

All testimonials share one partition: there are few of them, staff and the public page list them
all, and an account's own are one key condition away (`sk` begins with its id). The whole
testimonial is one item, written with a version check, so a publication and a withdrawal can never
both win.
"""

from pynamodb.attributes import (BooleanAttribute, JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute,
                                 VersionAttribute)
from pynamodb.models import Model

PARTITION = "TESTIMONIAL"


class TestimonialModel(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    testimonial_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    published = BooleanAttribute(default=False)  # a publication names the current consent (the public list's filter)
    consents = JSONAttribute()
    publication = JSONAttribute(null=True)
    proposal = JSONAttribute(null=True)
    withdrawal = JSONAttribute(null=True)
    log = JSONAttribute()
    version = VersionAttribute()
