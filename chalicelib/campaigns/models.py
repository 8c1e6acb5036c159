"""PynamoDB models of the campaigns table (the send ledger's items are in delivery/send_ledger.py).

  pk ACCOUNT#<account>    sk TEMPLATE#<template>   a saved template (checked, sanitised, its links)
  pk ACCOUNT#<account>    sk CAMPAIGN#<campaign>   a campaign: settings, content snapshot, state, fan-out progress
  pk CAMPAIGN#<campaign>  sk STATE                 its state, readable by id alone (senders check it every second)
  pk CAMPAIGN#<campaign>  sk PAGE#<n>              the recipients of fan-out page n, written before they are enqueued
  pk CAMPAIGN#<campaign>  sk OPEN#<contact>        first open of a contact (unique opens)
  pk CAMPAIGN#<campaign>  sk CLICK#<contact>#<link> first click of a contact on a link
  pk CAMPAIGN#<campaign>  sk CLICKED#<contact>       first click of a contact on any link (unique clickers)
  pk CAMPAIGN#<campaign>  sk ENGAGEMENT            opens / clicks counters (ADD)
  pk CAMPAIGN#<campaign>  sk TESTSENT              its last test mail: to whom, when (the review page)
  pk CAMPAIGN#<campaign>  sk RECEIVED#<prefix>     who received it: contact id -> outcome, for the contacts
                                                   whose id starts with <prefix> (received.py)

A sent campaign's item carries how far that index got (received_prefix, received_passes,
received_done), written by the index job alone.

The due index (due_pk "DUE", due_at ISO time) holds only scheduled campaigns: what the scheduler
starts each minute.
"""

from pynamodb.attributes import (BooleanAttribute, JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute,
                                 UTCDateTimeAttribute)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model


class _CampaignItem(Model):
    class Meta:
        table_name = None
        region = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class TemplateModel(_CampaignItem):
    template_id = UnicodeAttribute()
    name = UnicodeAttribute()
    subject = UnicodeAttribute()
    html = UnicodeAttribute()
    text = UnicodeAttribute()
    text_derived = BooleanAttribute(default=False)
    links = ListAttribute(of=UnicodeAttribute, null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class Due(GlobalSecondaryIndex):
    class Meta:
        index_name = "due"
        projection = KeysOnlyProjection()

    due_pk = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class CampaignModel(_CampaignItem):
    campaign_id = UnicodeAttribute()
    name = UnicodeAttribute()
    subject = UnicodeAttribute()
    from_name = UnicodeAttribute()
    from_email = UnicodeAttribute(null=True)
    reply_to = UnicodeAttribute(null=True)
    template_id = UnicodeAttribute(null=True)
    list_id = UnicodeAttribute(null=True)
    segment_id = UnicodeAttribute(null=True)
    send_at = UTCDateTimeAttribute(null=True)
    time_zone = UnicodeAttribute(default="Europe/Amsterdam")
    state = UnicodeAttribute()
    tracking = BooleanAttribute(default=True)
    content = JSONAttribute(null=True)
    fanout = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    held_because = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    due = Due()
    received_prefix = NumberAttribute(null=True)
    received_passes = NumberAttribute(null=True)
    received_done = NumberAttribute(null=True)


class CampaignStateModel(_CampaignItem):
    account_id = UnicodeAttribute()
    state = UnicodeAttribute()


class FanoutPageModel(_CampaignItem):
    contact_ids = ListAttribute(of=UnicodeAttribute)
    next_cursor = UnicodeAttribute(null=True)
    enqueued = NumberAttribute(default=0)
