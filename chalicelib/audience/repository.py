"""The audience table in DynamoDB (see models.py for the item layout)."""

import base64
import json
from datetime import datetime, timezone

from chalicelib.audience.audience import (PERSON_MAY_LIFT, AudienceList, Contact, Membership, MemberStatus, Suppression,
                                          SuppressionReason, address_hash)
from chalicelib import errors
from chalicelib.dynamo import bind
from chalicelib.i18n import N_

PAGE_SIZE = 50


def _now() -> datetime:
    return datetime.now(timezone.utc)


def account_key(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def encode_cursor(last_key: dict | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode() if last_key else None


def decode_cursor(cursor: str | None, **expected) -> dict | None:
    """A page cursor back into DynamoDB's start key; anything that is not one of this query
    (`expected` names the partition it must be in) is refused clearly."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        key = None
    well_formed = isinstance(key, dict) and key and all(
        isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) for v in key.values()) and all(
        key.get(name, {}).get("S") == value for name, value in expected.items())
    if not well_formed:
        raise errors.MalformedRequest(N_("This page link is not valid any more. Start from the first page."))
    return key


def _page(results) -> list:
    """Read a query page; a start key from elsewhere (another partition, an old index) is refused."""
    from pynamodb.exceptions import QueryError

    try:
        return list(results)
    except QueryError:
        raise errors.MalformedRequest(N_("This page link is not valid any more. Start from the first page.")) from None


class DynamoAudience:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.audience import models

        self._m = models
        for model in (models.ListModel, models.ListRefModel, models.ContactModel, models.ContactEmailModel,
                      models.MembershipModel, models.SuppressionModel):
            bind(model, table_name, region, host)
        self._region, self._host = region, host

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
        from pynamodb.exceptions import DoesNotExist

        try:
            claim = self._m.ContactEmailModel.get(account_key(account_id), f"EMAIL#{email_key}", consistent_read=True)
        except DoesNotExist:
            return None
        return self.get_contact(account_id, claim.contact_id)

    def get_contact(self, account_id: str, contact_id: str) -> Contact | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.ContactModel.get(account_key(account_id), f"CONTACT#{contact_id}", consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self._contact(account_id, item)

    def add_contact(self, contact: Contact) -> bool:
        """Store a new contact; False when the address already belongs to a contact of the account."""
        from pynamodb.exceptions import TransactWriteError
        from pynamodb.transactions import TransactWrite

        m = self._m
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(m.ContactEmailModel(pk=account_key(contact.account_id), sk=f"EMAIL#{contact.email_key}",
                                                     contact_id=contact.contact_id),
                                 condition=m.ContactEmailModel.sk.does_not_exist())
                transaction.save(self._contact_item(contact))
        except TransactWriteError as failed:
            if any(r and r.code == "ConditionalCheckFailed" for r in failed.cancellation_reasons or ()):
                return False
            raise
        return True

    def save_contact(self, contact: Contact) -> None:
        self._contact_item(contact).save()

    def _contact_item(self, contact: Contact):
        return self._m.ContactModel(
            pk=account_key(contact.account_id), sk=f"CONTACT#{contact.contact_id}", contact_id=contact.contact_id,
            email=contact.email, email_key=contact.email_key, first_name=contact.first_name,
            last_name=contact.last_name, language=contact.language, fields=contact.fields or None,
            tags=list(contact.tags) or None, created_at=contact.created_at or _now(), updated_at=_now())

    def contacts(self, account_id: str, cursor: str | None = None, limit: int = PAGE_SIZE,
                 email_prefix: str | None = None) -> tuple[list[Contact], str | None]:
        """A page of contacts, by address when searching (prefix), else by creation; with a cursor."""
        m = self._m
        if email_prefix:
            claims = m.ContactEmailModel.query(account_key(account_id),
                                               m.ContactEmailModel.sk.startswith(f"EMAIL#{email_prefix.lower()}"),
                                               limit=limit, last_evaluated_key=decode_cursor(cursor, pk=account_key(account_id)))
            found = [self.get_contact(account_id, c.contact_id) for c in _page(claims)]
            return [c for c in found if c], encode_cursor(claims.last_evaluated_key)
        items = m.ContactModel.query(account_key(account_id), m.ContactModel.sk.startswith("CONTACT#"), limit=limit,
                                     last_evaluated_key=decode_cursor(cursor, pk=account_key(account_id)))
        page = [self._contact(account_id, i) for i in _page(items)]
        return page, encode_cursor(items.last_evaluated_key)

    def delete_contact(self, contact: Contact) -> None:
        from pynamodb.transactions import TransactWrite

        m = self._m
        for membership in self.memberships(contact.account_id, contact.contact_id):
            m.MembershipModel(pk=account_key(contact.account_id),
                              sk=f"MEMBER#{membership.list_id}#{contact.contact_id}").delete()
        with TransactWrite(connection=self._connection()) as transaction:
            transaction.delete(m.ContactEmailModel(pk=account_key(contact.account_id), sk=f"EMAIL#{contact.email_key}"))
            transaction.delete(m.ContactModel(pk=account_key(contact.account_id), sk=f"CONTACT#{contact.contact_id}"))

    @staticmethod
    def _contact(account_id, item) -> Contact:
        return Contact(item.contact_id, account_id, item.email, item.email_key, item.first_name, item.last_name,
                       item.language, dict(item.fields or {}), list(item.tags or []), item.created_at, item.updated_at)

    # --- memberships ---------------------------------------------------------------------------

    def membership(self, account_id: str, list_id: str, contact_id: str) -> Membership | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.MembershipModel.get(account_key(account_id), f"MEMBER#{list_id}#{contact_id}",
                                               consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self._membership(account_id, item)

    def save_membership(self, membership: Membership) -> None:
        self._m.MembershipModel(
            pk=account_key(membership.account_id), sk=f"MEMBER#{membership.list_id}#{membership.contact_id}",
            list_id=membership.list_id, contact_id=membership.contact_id, status=membership.status.value,
            consent=membership.consent, updated_at=membership.updated_at,
            gsi1pk=f"LIST#{membership.list_id}", gsi1sk=f"{membership.status.value}#{membership.contact_id}").save()

    def memberships(self, account_id: str, contact_id: str) -> list[Membership]:
        # a contact's memberships: few, so a filtered query over the account's member items is fine
        m = self._m
        items = m.MembershipModel.query(account_key(account_id), m.MembershipModel.sk.startswith("MEMBER#"),
                                        filter_condition=m.MembershipModel.contact_id == contact_id)
        return [self._membership(account_id, i) for i in items]

    def members(self, list_id: str, status: MemberStatus | None = None, cursor: str | None = None,
                limit: int = PAGE_SIZE) -> tuple[list[str], str | None]:
        """Contact ids on a list (optionally of one status), a page at a time, through the by-list index."""
        m = self._m
        condition = m.MembershipModel.gsi1sk.startswith(f"{status.value}#") if status else None
        keys = m.MembershipModel.by_list.query(f"LIST#{list_id}", condition, limit=limit,
                                               last_evaluated_key=decode_cursor(cursor, gsi1pk=f"LIST#{list_id}"))
        ids = [k.gsi1sk.split("#", 1)[1] for k in _page(keys)]
        return ids, encode_cursor(keys.last_evaluated_key)

    @staticmethod
    def _membership(account_id, item) -> Membership:
        return Membership(account_id, item.list_id, item.contact_id, MemberStatus(item.status),
                          dict(item.consent) if item.consent else None, item.updated_at)

    # --- the whole account (data rights) ---------------------------------------------------------

    def account_items(self, account_id: str):
        """Every item of the account, every attribute, as plain values: for the data export."""
        from boto3.dynamodb.types import TypeDeserializer

        deserialize = TypeDeserializer().deserialize
        connection, start = self._m.ListModel._get_connection(), None
        while True:
            page = connection.query(account_key(account_id), exclusive_start_key=start)
            for raw in page.get("Items", []):
                item = {k: deserialize(v) for k, v in raw.items() if k not in ("pk", "gsi1pk", "gsi1sk")}
                yield item.pop("sk"), {k: (str(v) if type(v).__name__ == "Decimal" else v) for k, v in item.items()}
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
            if kept.cause_response_code != "ConditionalCheckFailedException":
                raise
            return self.suppression(account_id, email_key)
        return entry

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
