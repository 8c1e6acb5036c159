"""The audience table in DynamoDB (see models.py for the item layout)."""

import base64
import json
from datetime import datetime, timezone
from decimal import Decimal

from chalicelib.audience.audience import (PERSON_MAY_LIFT, AudienceList, Contact, Membership, MemberStatus, Suppression,
                                          SuppressionReason, address_hash, contact_id_for)
from chalicelib import errors
from chalicelib.dynamo import bind, conditional_check_failed, write_batch
from chalicelib.i18n import N_

PAGE_SIZE = 50
STALE_CURSOR = N_("This page link is not valid any more. Start from the first page.")


def _now() -> datetime:
    return datetime.now(timezone.utc)


GROWTH_TIME_ZONE = "Europe/Amsterdam"  # the day a contact counts on is the account holder's day


def growth_day(moment: datetime | None = None) -> str:
    """The day (YYYY-MM-DD, Amsterdam time) a change to the audience counts on."""
    from zoneinfo import ZoneInfo

    return (moment or _now()).astimezone(ZoneInfo(GROWTH_TIME_ZONE)).date().isoformat()


def account_key(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def encode_cursor(last_key: dict | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode() if last_key else None


def decode_cursor(cursor: str | None, index_keys: frozenset = frozenset(), **expected) -> dict | None:
    """A page cursor back into DynamoDB's start key; anything that is not one of this query
    (`expected` names the partition it must be in, `index_keys` all the key's attributes) is
    refused clearly."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        key = None
    well_formed = isinstance(key, dict) and key and all(
        isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) for v in key.values()) and all(
        key.get(name, {}).get("S") == value for name, value in expected.items()) and (
        not index_keys or set(key) == index_keys)
    if not well_formed:
        raise errors.MalformedRequest(STALE_CURSOR)
    return key


def _page(results) -> list:
    """Read a query page; a start key from elsewhere (another partition, an old index) is refused."""
    from pynamodb.exceptions import QueryError

    try:
        return list(results)
    except QueryError:
        raise errors.MalformedRequest(STALE_CURSOR) from None


# what `_sendable` reads of a contact item
SENDABLE_ATTRIBUTES = "sk, contact_id, email, email_key, first_name, last_name, #l, #f, tags"
SENDABLE_NAMES = {"#l": "language", "#f": "fields"}


def _sendable(account_id: str, item: dict) -> Contact:
    """A contact from a raw item, with what a mail needs (no times)."""
    def text(name):
        return item[name]["S"] if name in item else None

    return Contact(item["contact_id"]["S"], account_id, item["email"]["S"], item["email_key"]["S"],
                   text("first_name"), text("last_name"), text("language"),
                   json.loads(item["fields"]["S"]) if "fields" in item else {},
                   [tag["S"] for tag in item["tags"]["L"]] if "tags" in item else [])


BY_ADDRESS_KEYS = frozenset(("pk", "sk", "email_key"))  # a start key of each index: its keys and the table's
BY_ADDED_KEYS = frozenset(("pk", "sk", "gsi3pk", "gsi3sk"))
INDEX_KEYS = ("pk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk")  # left out of the data export
WRITE_BATCH = 25  # DynamoDB's BatchWriteItem limit
IMPORT_LONGEST_PAUSE_S = 2.0  # between an import's BatchWriteItem calls while DynamoDB is throttling
MEMBER_ORDERS = ("newest", "oldest")  # by date joined (the by-joined index)
JOINED_INDEX_JOB = "audience-joined-index"  # the one-off backfill (composition: job_handlers, scheduled_jobs)
JOINED_INDEX_MARKER = {"pk": {"S": "MARKER#by-joined"}, "sk": {"S": "BACKFILLED"}}  # the backfill ran
ADDED_INDEX_JOB = "audience-added-index"  # the one-off backfill of the by-added index, like JOINED_INDEX_JOB
ADDED_INDEX_MARKER = {"pk": {"S": "MARKER#by-added"}, "sk": {"S": "BACKFILLED"}}  # that backfill ran


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")  # PynamoDB's UTCDateTimeAttribute


def joined_key(account_id: str, list_id: str, status: str, contact_id: str, joined_stamp: str) -> tuple[str, str]:
    """The by-joined index's key of a membership: its list and status, then when it got that status."""
    return f"{account_id}#{list_id}#{status}", f"{joined_stamp}#{contact_id}"


def added_key(account_id: str, contact_id: str, created_stamp: str) -> tuple[str, str]:
    """The by-added index's key of a contact item: its account, then when the contact was created."""
    return account_key(account_id), f"{created_stamp}#{contact_id}"


def _new_contact_item(contact: Contact, list_id: str, consent: dict) -> dict:
    """A contact item with its first list's membership, in DynamoDB's wire format."""
    cid, stamp = contact.contact_id, _stamp(contact.created_at)
    subscribed = MemberStatus.SUBSCRIBED.value
    item = {"pk": {"S": account_key(contact.account_id)}, "sk": {"S": f"CONTACT#{cid}"}, "contact_id": {"S": cid},
            "email": {"S": contact.email}, "email_key": {"S": contact.email_key},
            "created_at": {"S": stamp}, "updated_at": {"S": _stamp(contact.updated_at or contact.created_at)},
            "list_id": {"S": list_id}, "status": {"S": subscribed},
            "consent": {"S": json.dumps(consent)}, "member_updated_at": {"S": stamp},
            "gsi1pk": {"S": f"LIST#{list_id}"}, "gsi1sk": {"S": f"{subscribed}#{cid}"}}
    joined = joined_key(contact.account_id, list_id, subscribed, cid, stamp)
    item["gsi2pk"], item["gsi2sk"] = {"S": joined[0]}, {"S": joined[1]}
    added = added_key(contact.account_id, cid, stamp)
    item["gsi3pk"], item["gsi3sk"] = {"S": added[0]}, {"S": added[1]}
    if contact.first_name:
        item["first_name"] = {"S": contact.first_name}
    if contact.last_name:
        item["last_name"] = {"S": contact.last_name}
    if contact.language:
        item["language"] = {"S": contact.language}
    if contact.fields:
        item["fields"] = {"S": json.dumps(contact.fields)}
    if contact.tags:
        item["tags"] = {"L": [{"S": tag} for tag in contact.tags]}
    return item


class DynamoAudience:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.audience import models

        self._m = models
        for model in (models.ListModel, models.ListRefModel, models.ContactModel, models.MembershipModel,
                      models.SuppressionModel, models.CustomFieldModel, models.SegmentModel, models.ImportModel):
            bind(model, table_name, region, host)
        self._region, self._host = region, host
        self._ready_indexes: set[str] = set()  # the markers of backfilled indexes seen (they stay)

    def _connection(self):
        from pynamodb.connection import Connection

        return Connection(region=self._region, host=self._host)

    # --- lists ---------------------------------------------------------------------------------

    def add_list(self, audience_list: AudienceList) -> None:
        from pynamodb.transactions import TransactWrite

        m = self._m
        with TransactWrite(connection=self._connection()) as transaction:
            transaction.save(m.ListModel(pk=account_key(audience_list.account_id), sk=f"LIST#{audience_list.list_id}",
                                         list_id=audience_list.list_id, name=audience_list.name,
                                         description=audience_list.description, created_at=audience_list.created_at))
            transaction.save(m.ListRefModel(pk=f"LIST#{audience_list.list_id}", sk="REF",
                                            account_id=audience_list.account_id))

    def lists(self, account_id: str) -> list[AudienceList]:
        items = self._m.ListModel.query(account_key(account_id), self._m.ListModel.sk.startswith("LIST#"))
        return sorted((self._list(account_id, i) for i in items), key=lambda l: l.name.lower())

    def get_list(self, account_id: str, list_id: str) -> AudienceList | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            return self._list(account_id, self._m.ListModel.get(account_key(account_id), f"LIST#{list_id}"))
        except (DoesNotExist, ValueError):
            return None

    def list_owner(self, list_id: str) -> str | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            return self._m.ListRefModel.get(f"LIST#{list_id}", "REF").account_id
        except (DoesNotExist, ValueError):
            return None

    @staticmethod
    def _list(account_id, item) -> AudienceList:
        return AudienceList(item.list_id, account_id, item.name, item.description, item.created_at)

    # --- contacts ------------------------------------------------------------------------------

    def contact_by_email(self, account_id: str, email_key: str) -> Contact | None:
        return self.get_contact(account_id, contact_id_for(account_id, email_key))

    def get_contact(self, account_id: str, contact_id: str) -> Contact | None:
        item = self._contact_record(account_id, contact_id)
        return self._contact(account_id, item) if item is not None else None

    def _contact_record(self, account_id: str, contact_id: str):
        from pynamodb.exceptions import DoesNotExist

        try:
            return self._m.ContactModel.get(account_key(account_id), f"CONTACT#{contact_id}", consistent_read=True)
        except (DoesNotExist, ValueError):
            return None

    def add_contact(self, contact: Contact) -> bool:
        """Store a new contact; False when the address already belongs to a contact of the account
        (its id follows from the address, so the key itself makes it unique)."""
        from pynamodb.exceptions import PutError

        m = self._m.ContactModel
        try:
            self._contact_item(contact).save(condition=m.sk.does_not_exist())
        except PutError as taken:
            if conditional_check_failed(taken):
                return False
            raise
        self.count_growth(contact.account_id, {"added": 1})
        return True

    def save_contact(self, contact: Contact) -> None:
        """Store a contact's details; its membership on the contact item is left as it is."""
        m = self._m.ContactModel
        values = ((m.first_name, contact.first_name), (m.last_name, contact.last_name), (m.language, contact.language),
                  (m.fields, contact.fields or None), (m.tags, list(contact.tags) or None))
        actions = [attribute.set(value) if value else attribute.remove() for attribute, value in values]
        item = m(pk=account_key(contact.account_id), sk=f"CONTACT#{contact.contact_id}")
        item.update(actions=[*actions, m.updated_at.set(_now())], condition=m.sk.exists())

    def _contact_item(self, contact: Contact):
        created_at = contact.created_at or _now()
        added = added_key(contact.account_id, contact.contact_id, _stamp(created_at))
        return self._m.ContactModel(
            pk=account_key(contact.account_id), sk=f"CONTACT#{contact.contact_id}", contact_id=contact.contact_id,
            email=contact.email, email_key=contact.email_key, first_name=contact.first_name,
            last_name=contact.last_name, language=contact.language, fields=contact.fields or None,
            tags=list(contact.tags) or None, created_at=created_at, updated_at=_now(), gsi3pk=added[0], gsi3sk=added[1])

    def contacts(self, account_id: str, cursor: str | None = None, limit: int = PAGE_SIZE,
                 email_prefix: str | None = None, descending: bool = False) -> tuple[list[Contact], str | None]:
        """A page of contacts in address order (`descending`: Z-A), optionally those whose address
        starts with a prefix."""
        m = self._m.ContactModel
        condition = m.email_key.startswith(email_prefix.lower()) if email_prefix else None
        items = m.by_address.query(account_key(account_id), condition, limit=limit, scan_index_forward=not descending,
                                   last_evaluated_key=decode_cursor(cursor, BY_ADDRESS_KEYS, pk=account_key(account_id)))
        page = [self._contact(account_id, i) for i in _page(items)]
        return page, encode_cursor(items.last_evaluated_key)

    def contacts_by_added(self, account_id: str, cursor: str | None = None, limit: int = PAGE_SIZE,
                          email_prefix: str | None = None, newest: bool = True) -> tuple[list[Contact], str | None]:
        """A page of contacts by when they were added (the by-added index; only once
        `added_index_ready`), newest or oldest first. A prefix filters the page, so a page may hold
        fewer than `limit` while the cursor goes on."""
        m = self._m.ContactModel
        partition = account_key(account_id)
        items = m.by_added.query(partition, limit=limit, scan_index_forward=not newest,
                                 filter_condition=m.email_key.startswith(email_prefix.lower()) if email_prefix else None,
                                 last_evaluated_key=decode_cursor(cursor, BY_ADDED_KEYS, gsi3pk=partition))
        page = [self._contact(account_id, i) for i in _page(items)]
        return page, encode_cursor(items.last_evaluated_key)

    def count_contacts(self, account_id: str) -> int:
        """How many contacts the account has: one COUNT query of their items, page by page. Only
        where the metered count of an account from before metering starts (chalicelib.usage)."""
        client = self._m.ContactModel._get_connection().connection.client
        total, start = 0, None
        while True:
            page = client.query(TableName=self._m.ContactModel.Meta.table_name, Select="COUNT",
                                KeyConditionExpression="pk = :pk AND begins_with(sk, :contact)",
                                ExpressionAttributeValues={":pk": {"S": account_key(account_id)},
                                                           ":contact": {"S": "CONTACT#"}},
                                **({"ExclusiveStartKey": start} if start else {}))
            total += page["Count"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return total

    def delete_contact(self, contact: Contact) -> None:
        m = self._m
        with m.MembershipModel.batch_write() as batch:
            for item in m.MembershipModel.query(account_key(contact.account_id),
                                                m.MembershipModel.sk.startswith(f"MEMBER#{contact.contact_id}#")):
                batch.delete(item)
        m.ContactModel(pk=account_key(contact.account_id), sk=f"CONTACT#{contact.contact_id}").delete()
        self.count_growth(contact.account_id, {"removed": 1})

    @staticmethod
    def _contact(account_id, item) -> Contact:
        return Contact(item.contact_id, account_id, item.email, item.email_key, item.first_name, item.last_name,
                       item.language, dict(item.fields or {}), list(item.tags or []), item.created_at, item.updated_at)

    # --- memberships ---------------------------------------------------------------------------

    def membership(self, account_id: str, list_id: str, contact_id: str) -> Membership | None:
        from pynamodb.exceptions import DoesNotExist

        contact = self._contact_record(account_id, contact_id)
        if contact is None:
            return None
        if contact.list_id == list_id:
            return self._home_membership(account_id, contact)
        try:
            item = self._m.MembershipModel.get(account_key(account_id), f"MEMBER#{contact_id}#{list_id}",
                                               consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self._membership(account_id, item)

    def save_membership(self, membership: Membership) -> None:
        """On the contact item when it is the contact's first list (or no list holds that place
        yet), else as a member item. The condition decides atomically, so two lists joined at
        once never overwrite each other."""
        from pynamodb.exceptions import UpdateError

        m = self._m.ContactModel
        index_key = (f"LIST#{membership.list_id}", f"{membership.status.value}#{membership.contact_id}")
        joined = joined_key(membership.account_id, membership.list_id, membership.status.value,
                            membership.contact_id, _stamp(membership.updated_at or _now()))
        item = m(pk=account_key(membership.account_id), sk=f"CONTACT#{membership.contact_id}")
        try:
            item.update(actions=[m.list_id.set(membership.list_id), m.status.set(membership.status.value),
                                 m.consent.set(membership.consent) if membership.consent else m.consent.remove(),
                                 m.member_updated_at.set(membership.updated_at), m.gsi1pk.set(index_key[0]),
                                 m.gsi1sk.set(index_key[1]), m.gsi2pk.set(joined[0]), m.gsi2sk.set(joined[1])],
                        condition=m.sk.exists() & (m.list_id.does_not_exist() | (m.list_id == membership.list_id)))
            return
        except UpdateError as taken:
            if not conditional_check_failed(taken):
                raise
        self._m.MembershipModel(
            pk=account_key(membership.account_id), sk=f"MEMBER#{membership.contact_id}#{membership.list_id}",
            list_id=membership.list_id, contact_id=membership.contact_id, status=membership.status.value,
            consent=membership.consent, updated_at=membership.updated_at,
            gsi1pk=index_key[0], gsi1sk=index_key[1], gsi2pk=joined[0], gsi2sk=joined[1]).save()

    def memberships(self, account_id: str, contact_id: str) -> list[Membership]:
        m = self._m
        contact = self._contact_record(account_id, contact_id)
        found = [self._home_membership(account_id, contact)] if contact is not None and contact.list_id else []
        items = m.MembershipModel.query(account_key(account_id),
                                        m.MembershipModel.sk.startswith(f"MEMBER#{contact_id}#"), consistent_read=True)
        return found + [self._membership(account_id, i) for i in items]

    def member_page(self, account_id: str, list_id: str, status: MemberStatus | None = None,
                    cursor: str | None = None, limit: int = PAGE_SIZE, order: str | None = None):
        """A page of a list's members as (contact, membership) pairs. Members whose first list this
        is come with their details from the index; the others are read in one batch. The by-list
        index is keyed by the list alone: only the account's own items count. With a status and an
        `order` (MEMBER_ORDERS) they come by date joined from the by-joined index, once its backfill
        ran; before that in the by-list order (a cursor of the one is refused by the other)."""
        m = self._m.ContactModel
        if status and order in MEMBER_ORDERS and self.joined_index_ready():
            partition = joined_key(account_id, list_id, status.value, "", "")[0]
            items = m.by_joined.query(partition, limit=limit, scan_index_forward=order == "oldest",
                                      last_evaluated_key=decode_cursor(cursor, gsi2pk=partition))
        else:
            condition = m.gsi1sk.startswith(f"{status.value}#") if status else None
            items = m.by_list.query(f"LIST#{list_id}", condition, limit=limit,
                                    last_evaluated_key=decode_cursor(cursor, gsi1pk=f"LIST#{list_id}"))
        rows = [item for item in _page(items) if item.pk == account_key(account_id)]
        others = [i.gsi1sk.split("#", 1)[1] for i in rows if i.sk.startswith("MEMBER#")]
        found = {c.contact_id: c for c in self.contacts_by_id(account_id, others)}
        page = []
        for item in rows:
            if item.sk.startswith("CONTACT#"):
                page.append((self._contact(account_id, item), self._home_membership(account_id, item)))
            else:
                contact = found.get(item.gsi1sk.split("#", 1)[1])
                if contact is not None:
                    # a member item read through the contact model: same names for status, consent, time
                    page.append((contact, Membership(account_id, list_id, contact.contact_id, MemberStatus(item.status),
                                                     dict(item.consent) if item.consent else None, item.updated_at)))
        return page, encode_cursor(items.last_evaluated_key)

    def joined_index_ready(self) -> bool:
        """Whether the by-joined index holds every membership (its backfill ran); once true, remembered."""
        return self._backfilled(JOINED_INDEX_MARKER)

    def added_index_ready(self) -> bool:
        """Whether the by-added index holds every contact (its backfill ran); once true, remembered."""
        return self._backfilled(ADDED_INDEX_MARKER)

    def _backfilled(self, marker: dict) -> bool:
        name = marker["pk"]["S"]
        if name not in self._ready_indexes:
            client = self._m.ContactModel._get_connection().connection.client
            if "Item" in client.get_item(TableName=self._m.ContactModel.Meta.table_name, Key=marker,
                                         ProjectionExpression="pk"):
                self._ready_indexes.add(name)
        return name in self._ready_indexes

    def _mark_backfilled(self, marker: dict) -> None:
        client = self._m.ContactModel._get_connection().connection.client
        client.put_item(TableName=self._m.ContactModel.Meta.table_name, Item=marker)
        self._ready_indexes.add(marker["pk"]["S"])

    def backfill_joined_index(self) -> dict:
        """One-off, safe to run again: put every membership stored before the by-joined index in it
        (key from its list, status and time), then mark the index ready. A membership written
        meanwhile has its key already, and the condition leaves it as it is."""
        def joined(item: dict) -> tuple[str, str]:
            home = item["sk"]["S"].startswith("CONTACT#")
            joined_at = item.get("member_updated_at" if home else "updated_at") or item.get("created_at")
            return joined_key(item["pk"]["S"].removeprefix("ACCOUNT#"), item["list_id"]["S"],
                              item["status"]["S"], item["contact_id"]["S"], joined_at["S"])

        done = self._backfill_index(
            ("gsi2pk", "gsi2sk"), joined, dict(
                FilterExpression="attribute_exists(gsi1pk) AND attribute_not_exists(gsi2pk)",
                ProjectionExpression="pk, sk, contact_id, list_id, #s, created_at, member_updated_at, updated_at",
                ExpressionAttributeNames={"#s": "status"}),
            still_needed="attribute_exists(gsi1pk) AND attribute_not_exists(gsi2pk)")
        self._mark_backfilled(JOINED_INDEX_MARKER)
        return {"memberships": done}

    def backfill_added_index(self) -> dict:
        """One-off, safe to run again: put every contact stored before the by-added index in it (key
        from its account and creation time), then mark the index ready. A contact created meanwhile
        has its key already, and the condition leaves it as it is (and skips one erased meanwhile)."""
        done = self._backfill_index(
            ("gsi3pk", "gsi3sk"),
            lambda item: added_key(item["pk"]["S"].removeprefix("ACCOUNT#"), item["contact_id"]["S"],
                                   item["created_at"]["S"]),
            dict(FilterExpression="begins_with(sk, :contact) AND attribute_not_exists(gsi3pk)",
                 ProjectionExpression="pk, sk, contact_id, created_at",
                 ExpressionAttributeValues={":contact": {"S": "CONTACT#"}}),
            still_needed="attribute_exists(sk) AND attribute_not_exists(gsi3pk)")
        self._mark_backfilled(ADDED_INDEX_MARKER)
        return {"contacts": done}

    def _backfill_index(self, attributes: tuple[str, str], key_of, scan: dict, still_needed: str) -> int:
        """Scan the table for the items `scan` selects and give each its index key (`key_of(item)`)
        in `attributes`, only while `still_needed` holds for it; how many were given one."""
        from botocore.exceptions import ClientError

        client = self._m.ContactModel._get_connection().connection.client
        table = self._m.ContactModel.Meta.table_name
        done = 0
        for page in client.get_paginator("scan").paginate(TableName=table, **scan):
            for item in page.get("Items", []):
                key = key_of(item)
                try:
                    client.update_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]},
                                       UpdateExpression="SET #p = :p, #s = :s", ConditionExpression=still_needed,
                                       ExpressionAttributeNames={"#p": attributes[0], "#s": attributes[1]},
                                       ExpressionAttributeValues={":p": {"S": key[0]}, ":s": {"S": key[1]}})
                    done += 1
                except ClientError as error:
                    if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
        return done

    def subscribed_page(self, account_id: str, list_id: str, cursor: str | None = None,
                        limit: int = PAGE_SIZE) -> tuple[list[Contact], str | None]:
        """A page of a list's subscribed contacts with only what a mail needs, read without model
        objects: the fan-out of a campaign to a million reads this a thousand times."""
        client = self._m.ContactModel._get_connection().connection.client
        table = self._m.ContactModel.Meta.table_name
        start = decode_cursor(cursor, gsi1pk=f"LIST#{list_id}")
        response = client.query(
            TableName=table, IndexName="by-list", Limit=limit,
            KeyConditionExpression="gsi1pk = :list AND begins_with(gsi1sk, :status)",
            # only what a mail needs: botocore's parsing of whole items (consent records, times) was
            # most of the fan-out's CPU
            ProjectionExpression=SENDABLE_ATTRIBUTES + ", gsi1sk, pk",
            ExpressionAttributeNames=SENDABLE_NAMES,
            ExpressionAttributeValues={":list": {"S": f"LIST#{list_id}"},
                                       ":status": {"S": f"{MemberStatus.SUBSCRIBED.value}#"}},
            **({"ExclusiveStartKey": start} if start else {}))
        contacts, others = [], []
        for item in response.get("Items", []):
            if item["pk"]["S"] != account_key(account_id):  # the index is keyed by the list alone
                continue
            if item["sk"]["S"].startswith("CONTACT#"):
                contacts.append(_sendable(account_id, item))
            else:
                others.append(item["gsi1sk"]["S"].split("#", 1)[1])
        if others:
            pk = {"S": account_key(account_id)}
            contacts += [_sendable(account_id, item) for item in self._batch_get(
                [{"pk": pk, "sk": {"S": f"CONTACT#{cid}"}} for cid in others], SENDABLE_ATTRIBUTES, SENDABLE_NAMES)]
        return contacts, encode_cursor(response.get("LastEvaluatedKey"))

    def contacts_by_id(self, account_id: str, contact_ids) -> list[Contact]:
        m = self._m.ContactModel
        keys = [(account_key(account_id), f"CONTACT#{contact_id}") for contact_id in dict.fromkeys(contact_ids)]
        return [self._contact(account_id, item) for item in m.batch_get(keys)] if keys else []

    def mailable_among(self, account_id: str, list_id: str, recipients) -> set[str]:
        """Which of these (contact id, address key) pairs may be mailed for this list right now:
        subscribed there and not suppressed. One BatchGetItem of only the attributes needed (contact
        items and suppression entries together), a second only for members whose first list is
        another: what a sender checks just before sending."""
        pk = {"S": account_key(account_id)}
        by_hash = {address_hash(key): cid for cid, key in recipients}
        keys = [{"pk": pk, "sk": {"S": f"CONTACT#{cid}"}} for cid, _ in recipients]
        keys += [{"pk": pk, "sk": {"S": f"SUPPRESSED#{h}"}} for h in by_hash]
        items = self._batch_get(keys, "sk, list_id, #s")
        subscribed, suppressed, elsewhere = set(), set(), []
        for item in items:
            sort_key = item["sk"]["S"]
            if sort_key.startswith("SUPPRESSED#"):
                suppressed.add(by_hash.get(sort_key.removeprefix("SUPPRESSED#")))
            elif item.get("list_id", {}).get("S") == list_id:
                if item.get("status", {}).get("S") == MemberStatus.SUBSCRIBED.value:
                    subscribed.add(sort_key.removeprefix("CONTACT#"))
            else:
                elsewhere.append(sort_key.removeprefix("CONTACT#"))
        if elsewhere:
            members = self._batch_get([{"pk": pk, "sk": {"S": f"MEMBER#{cid}#{list_id}"}} for cid in elsewhere],
                                      "sk, #s")
            subscribed |= {m["sk"]["S"].split("#")[1] for m in members
                           if m.get("status", {}).get("S") == MemberStatus.SUBSCRIBED.value}
        return subscribed - suppressed

    # --- the bulk import's reads and writes ------------------------------------------------------

    def existing_contact_ids(self, account_id: str, contact_ids) -> set[str]:
        """Which of these contacts exist already: consistent reads, 100 keys a call."""
        pk = {"S": account_key(account_id)}
        keys = [{"pk": pk, "sk": {"S": f"CONTACT#{cid}"}} for cid in dict.fromkeys(contact_ids)]
        return {item["sk"]["S"].removeprefix("CONTACT#") for item in self._batch_get(keys, "sk", consistent=True)}

    def add_subscribed_contacts(self, contacts: list[Contact], list_id: str, consents: list[dict]) -> None:
        """New contacts, each subscribed to `list_id` (its first list, kept on the contact item) with
        its consent: BatchWriteItem calls of 25 items, no condition (the caller read that they are
        new), one write unit a contact. The items are what `ContactModel` stores; DynamoDB's
        throttling is waited out with backoff until every item is in."""
        import time

        client = self._m.ContactModel._get_connection().connection.client
        table = self._m.ContactModel.Meta.table_name
        items = [_new_contact_item(contact, list_id, consent) for contact, consent in zip(contacts, consents)]
        for start in range(0, len(items), WRITE_BATCH):
            requests = [{"PutRequest": {"Item": item}} for item in items[start:start + WRITE_BATCH]]
            write_batch(client, table, requests, time.sleep, retries=None, longest_pause=IMPORT_LONGEST_PAUSE_S)
        if contacts:
            self.count_growth(contacts[0].account_id, {"added": len(contacts)})

    def _batch_get(self, keys: list[dict], projection: str, names: dict | None = None,
                   consistent: bool = False) -> list[dict]:
        client = self._m.ContactModel._get_connection().connection.client
        table = self._m.ContactModel.Meta.table_name
        names = {**({"#s": "status"} if "#s" in projection else {}), **(names or {})}
        found = []
        for start in range(0, len(keys), 100):  # BatchGetItem's limit
            pending = keys[start:start + 100]
            while pending:
                response = client.batch_get_item(RequestItems={table: {
                    "Keys": pending, "ProjectionExpression": projection, "ConsistentRead": consistent,
                    **({"ExpressionAttributeNames": names} if names else {})}})
                found += response.get("Responses", {}).get(table, [])
                pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        return found

    def subscribed_among(self, account_id: str, list_id: str, contact_ids) -> list[Contact]:
        """Which of these contacts are subscribed to the list right now: two batch reads at most."""
        m = self._m
        keys = [(account_key(account_id), f"CONTACT#{cid}") for cid in dict.fromkeys(contact_ids)]
        items = list(m.ContactModel.batch_get(keys)) if keys else []
        subscribed = [i for i in items if i.list_id == list_id and i.status == MemberStatus.SUBSCRIBED.value]
        elsewhere = {i.contact_id: i for i in items if i.list_id != list_id}
        member_keys = [(account_key(account_id), f"MEMBER#{cid}#{list_id}") for cid in elsewhere]
        for member in (m.MembershipModel.batch_get(member_keys) if member_keys else ()):
            if member.status == MemberStatus.SUBSCRIBED.value:
                subscribed.append(elsewhere[member.contact_id])
        return [self._contact(account_id, i) for i in subscribed]

    def suppressed_among(self, account_id: str, email_keys) -> set[str]:
        """Which of these addresses are suppressed in this account (one batch read)."""
        by_hash = {address_hash(key): key for key in email_keys}
        pk = {"S": account_key(account_id)}
        found = self._batch_get([{"pk": pk, "sk": {"S": f"SUPPRESSED#{h}"}} for h in by_hash], "sk")
        return {by_hash[item["sk"]["S"].removeprefix("SUPPRESSED#")] for item in found}

    @staticmethod
    def _home_membership(account_id, contact_item) -> Membership:
        return Membership(account_id, contact_item.list_id, contact_item.contact_id, MemberStatus(contact_item.status),
                          dict(contact_item.consent) if contact_item.consent else None,
                          contact_item.member_updated_at)

    @staticmethod
    def _membership(account_id, item) -> Membership:
        return Membership(account_id, item.list_id, item.contact_id, MemberStatus(item.status),
                          dict(item.consent) if item.consent else None, item.updated_at)

    # --- growth: the audience's daily counters (the overview's chart) ------------------------------

    def count_growth(self, account_id: str, counts: dict[str, int], day: str | None = None) -> None:
        """ADD to the account's counters of a day (`growth_day`): contacts `added` and `removed`
        (erased), and `unsubscribed` (a subscriber who left a list or everything). One write."""
        client = self._m.ContactModel._get_connection().connection.client
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        client.update_item(TableName=self._m.ContactModel.Meta.table_name,
                           Key={"pk": {"S": account_key(account_id)}, "sk": {"S": f"GROWTH#{day or growth_day()}"}},
                           UpdateExpression="ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(counts))),
                           ExpressionAttributeNames=names,
                           ExpressionAttributeValues={f":v{i}": {"N": str(v)} for i, v in enumerate(counts.values())})

    def growth(self, account_id: str, first_day: str, last_day: str) -> dict[str, dict[str, int]]:
        """The daily counters from `first_day` to `last_day` (YYYY-MM-DD, both included), by day;
        days nothing happened on are absent. One query of at most that many small items."""
        client = self._m.ContactModel._get_connection().connection.client
        days: dict[str, dict[str, int]] = {}
        for page in client.get_paginator("query").paginate(
                TableName=self._m.ContactModel.Meta.table_name,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
                ExpressionAttributeValues={":pk": {"S": account_key(account_id)},
                                           ":first": {"S": f"GROWTH#{first_day}"}, ":last": {"S": f"GROWTH#{last_day}"}}):
            for item in page["Items"]:
                days[item["sk"]["S"].removeprefix("GROWTH#")] = {
                    name: int(value["N"]) for name, value in item.items() if "N" in value}
        return days

    # --- the whole account (data rights) ---------------------------------------------------------

    def account_items(self, account_id: str):
        """Every item of the account, every attribute, as plain values: for the data export."""
        from boto3.dynamodb.types import TypeDeserializer

        deserialize = TypeDeserializer().deserialize
        connection, start = self._m.ListModel._get_connection(), None
        while True:
            page = connection.query(account_key(account_id), exclusive_start_key=start)
            for raw in page.get("Items", []):
                item = {k: deserialize(v) for k, v in raw.items() if k not in INDEX_KEYS}
                yield item.pop("sk"), {k: (str(v) if isinstance(v, Decimal) else v) for k, v in item.items()}
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def erase_account(self, account_id: str) -> int:
        """Delete the account's whole partition and its list references (account erasure)."""
        erased = 0
        with self._m.ListModel.batch_write() as batch:
            for item in self._m.ListModel.query(account_key(account_id)):
                if item.sk.startswith("LIST#"):
                    batch.delete(self._m.ListRefModel(pk=f"LIST#{item.sk.removeprefix('LIST#')}", sk="REF"))
                batch.delete(self._m.ListModel(pk=item.pk, sk=item.sk))
                erased += 1
        return erased

    # --- suppression ---------------------------------------------------------------------------

    def suppress(self, account_id: str, email_key: str, email: str | None, reason: SuppressionReason,
                 source: str) -> Suppression:
        """Suppress an address. A lasting reason (bounce, complaint, manual) is never replaced by
        the liftable "unsubscribed", else a later confirmed sign-up would lift it; an erasure always
        replaces, because it must remove the address. The condition makes this hold under races."""
        from pynamodb.exceptions import PutError

        m = self._m.SuppressionModel
        entry = Suppression(address_hash(email_key), email, reason, source, _now())
        item = m(pk=account_key(account_id), sk=f"SUPPRESSED#{entry.email_hash}", email=email, reason=reason.value,
                 source=source, at=entry.at)
        if reason is SuppressionReason.ERASED:
            item.save()
            return entry
        if reason in PERSON_MAY_LIFT:  # only over nothing, or over another liftable entry
            replaceable = m.sk.does_not_exist() | m.reason.is_in(*(r.value for r in PERSON_MAY_LIFT))
        else:  # a lasting reason replaces anything but an erasure
            replaceable = m.sk.does_not_exist() | (m.reason != SuppressionReason.ERASED.value)
        try:
            item.save(condition=replaceable)
        except PutError as kept:
            if not conditional_check_failed(kept):
                raise
            return self.suppression(account_id, email_key)
        return entry

    def suppressed_hashes(self, account_id: str):
        """Every suppressed address hash of the account (keys only): what an import checks against."""
        m = self._m.SuppressionModel
        for item in m.query(account_key(account_id), m.sk.startswith("SUPPRESSED#"), attributes_to_get=["sk"]):
            yield item.sk.removeprefix("SUPPRESSED#")

    def unsuppress(self, account_id: str, email_key: str) -> None:
        self._m.SuppressionModel(pk=account_key(account_id), sk=f"SUPPRESSED#{address_hash(email_key)}").delete()

    def suppression(self, account_id: str, email_key: str) -> Suppression | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.SuppressionModel.get(account_key(account_id), f"SUPPRESSED#{address_hash(email_key)}",
                                                consistent_read=True)
        except DoesNotExist:
            return None
        return self._suppression(item)

    def suppressions(self, account_id: str, cursor: str | None = None,
                     limit: int = PAGE_SIZE) -> tuple[list[Suppression], str | None]:
        m = self._m
        items = m.SuppressionModel.query(account_key(account_id), m.SuppressionModel.sk.startswith("SUPPRESSED#"),
                                         limit=limit, last_evaluated_key=decode_cursor(cursor, pk=account_key(account_id)))
        return [self._suppression(i) for i in _page(items)], encode_cursor(items.last_evaluated_key)

    @staticmethod
    def _suppression(item) -> Suppression:
        return Suppression(item.sk.removeprefix("SUPPRESSED#"), item.email, SuppressionReason(item.reason),
                           item.source, item.at)
