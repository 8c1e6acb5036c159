"""The audience in memory, keeping DynamoAudience's contract (tests/integration/test_audience_repository_contract.py).

It keeps the table's layout where callers can see it: a contact's first list's membership lives on
the contact (a later save of another list is a further membership), a membership saved for a
contact that does not exist is kept all the same, pages follow the indexes' order and cursors are
the Dynamo ones (a cursor of one is a cursor of the other). Not kept: `account_items` (the data
export reads raw items) and the custom fields, segments and imports that share the table.
"""

import dataclasses
from datetime import datetime, timezone

from chalicelib import errors
from chalicelib.audience.audience import (PERSON_MAY_LIFT, AudienceList, Contact, Membership, MemberStatus, Suppression,
                                          SuppressionReason, address_hash, contact_id_for)
from chalicelib.audience.repository import PAGE_SIZE, STALE_CURSOR, account_key, decode_cursor, encode_cursor
from tests.fakes.stored import json_value, page_of, utc


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclasses.dataclass
class _ContactItem:
    contact: Contact
    home: Membership | None = None  # the membership of the contact's first list, on the contact item


@dataclasses.dataclass(frozen=True)
class _IndexRow:
    """An item of the by-list index: a contact item (its first list) or a further membership."""

    account_id: str
    contact_id: str
    membership: Membership
    on_contact: bool

    @property
    def order(self) -> tuple:
        sort_key = f"CONTACT#{self.contact_id}" if self.on_contact else \
            f"MEMBER#{self.contact_id}#{self.membership.list_id}"
        return f"{self.membership.status.value}#{self.contact_id}", account_key(self.account_id), sort_key

    def key(self) -> dict:
        gsi1sk, pk, sk = self.order
        return {"gsi1pk": {"S": f"LIST#{self.membership.list_id}"}, "gsi1sk": {"S": gsi1sk}, "pk": {"S": pk},
                "sk": {"S": sk}}


def _after(cursor: str | None, names: tuple, **expected) -> tuple | None:
    """The place in a query a cursor stands for (its key's `names`), refused as DynamoAudience refuses it."""
    key = decode_cursor(cursor, **expected)
    if key is None:
        return None
    if not all(name in key for name in names):
        raise errors.MalformedRequest(STALE_CURSOR)
    return tuple(key[name]["S"] for name in names)


def _membership(membership: Membership) -> Membership:
    return dataclasses.replace(membership, consent=json_value(membership.consent) or None,
                               updated_at=utc(membership.updated_at))


class InMemoryAudience:
    def __init__(self):
        self._lists: dict[tuple, AudienceList] = {}  # (account, list)
        self._list_owners: dict[str, str] = {}  # list -> account
        self._contacts: dict[tuple, _ContactItem] = {}  # (account, contact)
        self._members: dict[tuple, Membership] = {}  # (account, contact, list): further lists
        self._suppressed: dict[tuple, Suppression] = {}  # (account, address hash)
        self._growth: dict[tuple, dict[str, int]] = {}  # (account, day) -> counters

    # --- lists ---------------------------------------------------------------------------------

    def add_list(self, audience_list: AudienceList) -> None:
        self._lists[audience_list.account_id, audience_list.list_id] = dataclasses.replace(
            audience_list, created_at=utc(audience_list.created_at))
        self._list_owners[audience_list.list_id] = audience_list.account_id

    def lists(self, account_id: str) -> list[AudienceList]:
        found = [dataclasses.replace(found) for (owner, _), found in self._lists.items() if owner == account_id]
        return sorted(found, key=lambda l: l.name.lower())

    def get_list(self, account_id: str, list_id: str) -> AudienceList | None:
        found = self._lists.get((account_id, list_id))
        return dataclasses.replace(found) if found else None

    def list_owner(self, list_id: str) -> str | None:
        return self._list_owners.get(list_id)

    # --- contacts ------------------------------------------------------------------------------

    def contact_by_email(self, account_id: str, email_key: str) -> Contact | None:
        return self.get_contact(account_id, contact_id_for(account_id, email_key))

    def get_contact(self, account_id: str, contact_id: str) -> Contact | None:
        item = self._contacts.get((account_id, contact_id))
        return self._read(item.contact) if item else None

    @staticmethod
    def _read(contact: Contact, with_times: bool = True) -> Contact:
        return dataclasses.replace(contact, fields=json_value(contact.fields) or {}, tags=list(contact.tags),
                                   **({} if with_times else {"created_at": None, "updated_at": None}))

    def add_contact(self, contact: Contact) -> bool:
        key = (contact.account_id, contact.contact_id)
        if key in self._contacts:
            return False
        self._contacts[key] = _ContactItem(dataclasses.replace(
            contact, fields=json_value(contact.fields or None) or {}, tags=list(contact.tags or []),
            created_at=utc(contact.created_at) or _now(), updated_at=_now()))
        self.count_growth(contact.account_id, {"added": 1})
        return True

    def count_growth(self, account_id: str, counts: dict[str, int], day: str | None = None) -> None:
        from chalicelib.audience.repository import growth_day

        counters = self._growth.setdefault((account_id, day or growth_day()), {})
        for name, count in counts.items():
            counters[name] = counters.get(name, 0) + int(count)

    def growth(self, account_id: str, first_day: str, last_day: str) -> dict[str, dict[str, int]]:
        return {day: dict(counts) for (owner, day), counts in sorted(self._growth.items())
                if owner == account_id and first_day <= day <= last_day}

    def save_contact(self, contact: Contact) -> None:
        item = self._contacts.get((contact.account_id, contact.contact_id))
        if item is None:  # DynamoAudience's conditional update fails (PynamoDB's UpdateError)
            raise LookupError("no such contact")
        item.contact = dataclasses.replace(
            item.contact, first_name=contact.first_name or None, last_name=contact.last_name or None,
            language=contact.language or None, fields=json_value(contact.fields or None) or {},
            tags=list(contact.tags or []), updated_at=_now())

    def contacts(self, account_id: str, cursor: str | None = None, limit: int = PAGE_SIZE,
                 email_prefix: str | None = None, descending: bool = False) -> tuple[list[Contact], str | None]:
        """The by-address index: an account's contacts in address order (`descending`: Z-A)."""
        after = _after(cursor, ("email_key", "sk"), pk=account_key(account_id))
        rows = [item.contact for (owner, _), item in self._contacts.items() if owner == account_id
                and (not email_prefix or item.contact.email_key.startswith(email_prefix.lower()))]
        place = lambda c: (c.email_key, f"CONTACT#{c.contact_id}")  # noqa: E731
        if descending:
            rows = [c for c in sorted(rows, key=place, reverse=True) if after is None or place(c) < after][:limit]
            page, last = rows, (rows[-1] if rows and len(rows) == limit else None)
        else:
            page, last = page_of(rows, place, after, limit)
        cursor = encode_cursor({"pk": {"S": account_key(account_id)}, "sk": {"S": f"CONTACT#{last.contact_id}"},
                                "email_key": {"S": last.email_key}}) if last else None
        return [self._read(contact) for contact in page], cursor

    def added_index_ready(self) -> bool:
        return False  # what the real table says before its by-added backfill: contacts in address order only

    def delete_contact(self, contact: Contact) -> None:
        for key in [k for k in self._members if k[:2] == (contact.account_id, contact.contact_id)]:
            del self._members[key]
        self._contacts.pop((contact.account_id, contact.contact_id), None)
        self.count_growth(contact.account_id, {"removed": 1})

    def contacts_by_id(self, account_id: str, contact_ids) -> list[Contact]:
        found = (self._contacts.get((account_id, contact_id)) for contact_id in dict.fromkeys(contact_ids))
        return [self._read(item.contact) for item in found if item is not None]

    # --- memberships ---------------------------------------------------------------------------

    def membership(self, account_id: str, list_id: str, contact_id: str) -> Membership | None:
        item = self._contacts.get((account_id, contact_id))
        if item is None:
            return None
        if item.home is not None and item.home.list_id == list_id:
            return _membership(item.home)
        found = self._members.get((account_id, contact_id, list_id))
        return _membership(found) if found else None

    def save_membership(self, membership: Membership) -> None:
        """On the contact when it is the contact's first list (or no list holds that place yet), else
        as a further membership: also when the contact does not exist, as DynamoAudience does."""
        stored = _membership(membership)
        item = self._contacts.get((membership.account_id, membership.contact_id))
        if item is not None and (item.home is None or item.home.list_id == membership.list_id):
            item.home = stored
        else:
            self._members[membership.account_id, membership.contact_id, membership.list_id] = stored

    def memberships(self, account_id: str, contact_id: str) -> list[Membership]:
        item = self._contacts.get((account_id, contact_id))
        found = [_membership(item.home)] if item is not None and item.home is not None else []
        further = sorted((m for (owner, cid, _), m in self._members.items() if (owner, cid) == (account_id, contact_id)),
                         key=lambda m: m.list_id)
        return found + [_membership(m) for m in further]

    def _index(self, list_id: str, status_prefix: str, cursor: str | None, limit: int):
        """A page of the by-list index (every account's items under the list, as the index holds them)."""
        after = _after(cursor, ("gsi1sk", "pk", "sk"), gsi1pk=f"LIST#{list_id}")
        rows = [_IndexRow(owner, cid, item.home, True) for (owner, cid), item in self._contacts.items()
                if item.home is not None and item.home.list_id == list_id]
        rows += [_IndexRow(owner, cid, m, False) for (owner, cid, lid), m in self._members.items() if lid == list_id]
        rows = [row for row in rows if row.order[0].startswith(status_prefix)]
        page, last = page_of(rows, lambda row: row.order, after, limit)
        return page, encode_cursor(last.key()) if last else None

    def member_page(self, account_id: str, list_id: str, status: MemberStatus | None = None,
                    cursor: str | None = None, limit: int = PAGE_SIZE, order: str | None = None):
        # `order` (date joined) is what the real table does before its by-joined backfill: ignored
        rows, next_cursor = self._index(list_id, f"{status.value}#" if status else "", cursor, limit)
        page = []
        for row in rows:
            item = self._contacts.get((account_id, row.contact_id)) if row.account_id == account_id else None
            if item is not None:
                page.append((self._read(item.contact), _membership(row.membership)))
        return page, next_cursor

    def subscribed_page(self, account_id: str, list_id: str, cursor: str | None = None,
                        limit: int = PAGE_SIZE) -> tuple[list[Contact], str | None]:
        rows, next_cursor = self._index(list_id, f"{MemberStatus.SUBSCRIBED.value}#", cursor, limit)
        mine = [row for row in rows if row.account_id == account_id]
        # those whose first list it is come straight from the index, then the others (one batch read)
        ordered = [row for row in mine if row.on_contact] + [row for row in mine if not row.on_contact]
        items = (self._contacts.get((account_id, row.contact_id)) for row in ordered)
        return [self._read(item.contact, with_times=False) for item in items if item is not None], next_cursor

    def mailable_among(self, account_id: str, list_id: str, recipients) -> set[str]:
        by_hash = {address_hash(key): cid for cid, key in recipients}
        subscribed = set()
        for contact_id, _ in recipients:
            item = self._contacts.get((account_id, contact_id))
            if item is None:
                continue
            if item.home is not None and item.home.list_id == list_id:
                membership = item.home
            else:
                membership = self._members.get((account_id, contact_id, list_id))
            if membership is not None and membership.status is MemberStatus.SUBSCRIBED:
                subscribed.add(contact_id)
        return subscribed - {cid for h, cid in by_hash.items() if (account_id, h) in self._suppressed}

    def suppressed_among(self, account_id: str, email_keys) -> set[str]:
        return {key for key in email_keys if (account_id, address_hash(key)) in self._suppressed}

    # --- the whole account (data rights) ---------------------------------------------------------

    def erase_account(self, account_id: str) -> int:
        erased = 0
        for store in (self._lists, self._contacts, self._members, self._suppressed, self._growth):
            for key in [k for k in store if k[0] == account_id]:
                if store is self._lists:
                    self._list_owners.pop(key[1], None)
                del store[key]
                erased += 1
        return erased

    # --- suppression ---------------------------------------------------------------------------

    def suppress(self, account_id: str, email_key: str, email: str | None, reason: SuppressionReason,
                 source: str) -> Suppression:
        entry = Suppression(address_hash(email_key), email, reason, source, _now())
        current = self._suppressed.get((account_id, entry.email_hash))
        if reason is SuppressionReason.ERASED:
            replaceable = True
        elif reason in PERSON_MAY_LIFT:
            replaceable = current is None or current.reason in PERSON_MAY_LIFT
        else:
            replaceable = current is None or current.reason is not SuppressionReason.ERASED
        if not replaceable:
            return dataclasses.replace(current)
        self._suppressed[account_id, entry.email_hash] = entry
        return dataclasses.replace(entry)

    def suppressed_hashes(self, account_id: str):
        yield from sorted(h for owner, h in self._suppressed if owner == account_id)

    def unsuppress(self, account_id: str, email_key: str) -> None:
        self._suppressed.pop((account_id, address_hash(email_key)), None)

    def suppression(self, account_id: str, email_key: str) -> Suppression | None:
        found = self._suppressed.get((account_id, address_hash(email_key)))
        return dataclasses.replace(found) if found else None

    def suppressions(self, account_id: str, cursor: str | None = None,
                     limit: int = PAGE_SIZE) -> tuple[list[Suppression], str | None]:
        after = _after(cursor, ("sk",), pk=account_key(account_id))
        rows = [entry for (owner, _), entry in self._suppressed.items() if owner == account_id]
        page, last = page_of(rows, lambda entry: (f"SUPPRESSED#{entry.email_hash}",), after, limit)
        cursor = encode_cursor({"pk": {"S": account_key(account_id)},
                                "sk": {"S": f"SUPPRESSED#{last.email_hash}"}}) if last else None
        return [dataclasses.replace(entry) for entry in page], cursor
