"""Privacy policy versions (P17, P18): the versioned text, and where it is kept.

A version holds the policy's Dutch and English text (Markdown), its number and its lifecycle:

  draft      written by staff, editable, shown to nobody else
  announced  published with an effective date at least 30 days ahead (`policy_service`); from then
             on it is never edited. Before its date it is *pending*, from its date on it is *in
             force* (derived from the clock: no job flips it), until a later version takes effect.
  withdrawn  an announced version taken back before its date

Version 1 is the policy MailExpert started with (`policy_texts/v1.*.md`): it is in force from the
start, and exists in code, so a fresh table needs no seeding; it is never stored.

Items in the notices table (`mailexpert-notices`):
  pk POLICY                 sk VERSION#<number, 6 digits>   one version
  pk DISMISSED#<account>    sk POLICY#<number>              the account holder hid its banner
"""

import functools
import os
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timezone
from enum import Enum
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
POLICY_PK = "POLICY"
VERSION_PREFIX = "VERSION#"
DISMISSED_PREFIX = "DISMISSED#"
DISMISSAL_RETENTION_S = 400 * 24 * 3600  # long after the banner is gone by itself
TEXTS_DIR = os.path.join(os.path.dirname(__file__), "policy_texts")
FIRST_VERSION = 1


class PolicyStatus(str, Enum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    WITHDRAWN = "withdrawn"


class VersionNotEditable(Exception):
    """The version is no longer a draft (announced or withdrawn), or changed in the meantime."""


class VersionTaken(Exception):
    """Another draft took this number first."""


@dataclass(frozen=True)
class PolicyVersion:
    number: int
    text_nl: str
    text_en: str
    status: PolicyStatus
    created_at: datetime | None = None
    announced_at: datetime | None = None
    effective_on: date | None = None  # takes effect at 00:00 Amsterdam time that day; None: from the start
    withdrawn_at: datetime | None = None
    revision: int = 1  # optimistic locking of a draft's edits

    @property
    def effective_at(self) -> datetime | None:
        """The moment it takes effect (aware, UTC)."""
        if self.effective_on is None:
            return None
        return datetime.combine(self.effective_on, time(0), AMSTERDAM).astimezone(timezone.utc)

    @property
    def announced(self) -> bool:
        return self.status is PolicyStatus.ANNOUNCED

    def takes_effect_by(self, now: datetime) -> bool:
        """Announced, and its date has come."""
        return self.announced and (self.effective_at is None or self.effective_at <= now)

    def pending_at(self, now: datetime) -> bool:
        """Announced, and its date is still to come."""
        return self.announced and self.effective_at is not None and self.effective_at > now

    def text(self, language: str) -> str:
        return self.text_nl if language == "nl" else self.text_en

    @property
    def message_id(self) -> str:
        """What the broadcast engine calls this version's notice."""
        return str(self.number)


@functools.cache
def first_version() -> PolicyVersion:
    """Version 1, the policy MailExpert started with: in force from the start."""
    def read(language):
        with open(os.path.join(TEXTS_DIR, f"v1.{language}.md"), encoding="utf-8") as file:
            return file.read()

    return PolicyVersion(number=FIRST_VERSION, text_nl=read("nl"), text_en=read("en"), status=PolicyStatus.ANNOUNCED)


def _version_key(number: int) -> dict:
    return {"pk": {"S": POLICY_PK}, "sk": {"S": f"{VERSION_PREFIX}{number:06d}"}}


def _optional(item: dict, name: str, parse):
    value = item.get(name, {}).get("S")
    return parse(value) if value else None


def _from_item(item: dict) -> PolicyVersion:
    return PolicyVersion(
        number=int(item["number"]["N"]), text_nl=item["text_nl"]["S"], text_en=item["text_en"]["S"],
        status=PolicyStatus(item["status"]["S"]), created_at=_optional(item, "created_at", datetime.fromisoformat),
        announced_at=_optional(item, "announced_at", datetime.fromisoformat),
        effective_on=_optional(item, "effective_on", date.fromisoformat),
        withdrawn_at=_optional(item, "withdrawn_at", datetime.fromisoformat),
        revision=int(item.get("revision", {}).get("N", 1)))


class DynamoPolicyVersions:
    """Policy versions and banner dismissals in the notices table, through a boto3 DynamoDB client.
    Every change of state is a conditional write: a version leaves `draft` once, and a draft's edit
    applies only to the revision it was made from."""

    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name

    def all(self) -> list[PolicyVersion]:
        versions = []
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(TableName=self._table, ConsistentRead=True,
                                       KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                                       ExpressionAttributeValues={":pk": {"S": POLICY_PK},
                                                                  ":prefix": {"S": VERSION_PREFIX}}):
            versions += [_from_item(item) for item in page["Items"]]
        return sorted(versions, key=lambda version: version.number)

    def get(self, number: int) -> PolicyVersion | None:
        item = self._client.get_item(TableName=self._table, Key=_version_key(number), ConsistentRead=True).get("Item")
        return _from_item(item) if item else None

    def create(self, version: PolicyVersion) -> None:
        item = {**_version_key(version.number), "number": {"N": str(version.number)},
                "text_nl": {"S": version.text_nl}, "text_en": {"S": version.text_en},
                "status": {"S": version.status.value}, "created_at": {"S": version.created_at.isoformat()},
                "revision": {"N": str(version.revision)}}
        try:
            self._client.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            raise VersionTaken(version.number) from None

    def save_draft(self, version: PolicyVersion) -> PolicyVersion:
        """Store a draft's new texts; refused unless it is still a draft at `version.revision`."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_version_key(version.number),
                UpdateExpression="SET text_nl = :nl, text_en = :en, revision = :next",
                ConditionExpression="#status = :draft AND revision = :revision",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":nl": {"S": version.text_nl}, ":en": {"S": version.text_en},
                                           ":draft": {"S": PolicyStatus.DRAFT.value},
                                           ":revision": {"N": str(version.revision)},
                                           ":next": {"N": str(version.revision + 1)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            raise VersionNotEditable(version.number) from None
        return replace(version, revision=version.revision + 1)

    def announce(self, number: int, revision: int, announced_at: datetime, effective_on: date) -> None:
        """Draft -> announced, only from the revision that was checked."""
        self._transition(number, PolicyStatus.DRAFT, PolicyStatus.ANNOUNCED,
                         {"announced_at": {"S": announced_at.isoformat()},
                          "effective_on": {"S": effective_on.isoformat()}}, revision=revision)

    def withdraw(self, number: int, withdrawn_at: datetime) -> None:
        """Announced -> withdrawn (the service checks that its date has not come)."""
        self._transition(number, PolicyStatus.ANNOUNCED, PolicyStatus.WITHDRAWN,
                         {"withdrawn_at": {"S": withdrawn_at.isoformat()}})

    def _transition(self, number: int, from_status: PolicyStatus, to_status: PolicyStatus, values: dict,
                    revision: int | None = None) -> None:
        condition = "#status = :from"
        attributes = {":from": {"S": from_status.value}, ":to": {"S": to_status.value}}
        if revision is not None:
            condition += " AND revision = :revision"
            attributes[":revision"] = {"N": str(revision)}
        sets = ", ".join(["#status = :to"] + [f"{name} = :{name}" for name in values])
        try:
            self._client.update_item(
                TableName=self._table, Key=_version_key(number), UpdateExpression="SET " + sets,
                ConditionExpression=condition, ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={**attributes, **{f":{name}": value for name, value in values.items()}})
        except self._client.exceptions.ConditionalCheckFailedException:
            raise VersionNotEditable(number) from None

    # --- banner dismissals --------------------------------------------------------------------

    def dismiss(self, account_id: str, number: int, at: datetime) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": {"S": DISMISSED_PREFIX + account_id}, "sk": {"S": f"POLICY#{number}"},
            "at": {"S": at.isoformat()}, "expires_at": {"N": str(int(at.timestamp()) + DISMISSAL_RETENTION_S)}})

    def dismissed_versions(self, account_id: str) -> list[int]:
        answer = self._client.query(TableName=self._table, KeyConditionExpression="pk = :pk",
                                    ExpressionAttributeValues={":pk": {"S": DISMISSED_PREFIX + account_id}})
        return sorted(int(item["sk"]["S"].removeprefix("POLICY#")) for item in answer["Items"])

    def forget(self, account_id: str) -> None:
        """Erasure: the account holder's dismissals go."""
        for number in self.dismissed_versions(account_id):
            self._client.delete_item(TableName=self._table, Key={
                "pk": {"S": DISMISSED_PREFIX + account_id}, "sk": {"S": f"POLICY#{number}"}})

    def dismissed(self, account_id: str, number: int) -> bool:
        item = self._client.get_item(TableName=self._table, Key={
            "pk": {"S": DISMISSED_PREFIX + account_id}, "sk": {"S": f"POLICY#{number}"}}).get("Item")
        return item is not None
