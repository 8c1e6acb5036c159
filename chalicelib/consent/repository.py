"""Cookie choices in the notices table (`mailexpert-notices`, pk/sk strings, TTL `expires_at`):

  pk CONSENT#<consent id>   sk RECORD#<recorded at, ISO>#<nonce>   one choice (chalicelib.consent.record)

One partition per consent id (one browser), so writes from many visitors spread over the table and
one browser's history is a single Query, oldest first. Records are never updated: a change is a new
record. `expires_at` lets DynamoDB's TTL delete each record after the retention in `service.py`.
"""

import secrets
from datetime import datetime

from chalicelib.consent.record import ConsentRecord, RecordKind

PK_PREFIX = "CONSENT#"
SK_PREFIX = "RECORD#"


def _s(value: str) -> dict:
    return {"S": value}


class DynamoConsentRecords:
    """Consent records through a boto3 DynamoDB client."""

    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name

    def add(self, record: ConsentRecord) -> None:
        item = {"pk": _s(PK_PREFIX + record.consent_id),
                "sk": _s(f"{SK_PREFIX}{record.recorded_at.isoformat()}#{secrets.token_hex(4)}"),
                "consent_id": _s(record.consent_id), "recorded_at": _s(record.recorded_at.isoformat()),
                "choice": _s(record.choice), "analytics": {"BOOL": record.analytics},
                "marketing": {"BOOL": record.marketing}, "banner_version": {"N": str(record.banner_version)},
                "kind": _s(record.kind.value), "expires_at": {"N": str(record.expires_at)}}
        if record.ip_prefix:
            item["ip_prefix"] = _s(record.ip_prefix)
        # never overwrite a record: the nonce makes a clash all but impossible, the condition makes it harmless
        self._client.put_item(TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)")

    def of(self, consent_id: str) -> list[ConsentRecord]:
        """Every record of one consent id still kept, oldest first."""
        records, start = [], None
        while True:
            page = self._client.query(
                TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
                ExpressionAttributeValues={":pk": _s(PK_PREFIX + consent_id), ":sk": _s(SK_PREFIX)},
                ConsistentRead=True, **({"ExclusiveStartKey": start} if start else {}))
            records += [_record(item) for item in page.get("Items", [])]
            start = page.get("LastEvaluatedKey")
            if not start:
                return records


def _record(item: dict) -> ConsentRecord:
    return ConsentRecord(consent_id=item["consent_id"]["S"], recorded_at=datetime.fromisoformat(item["recorded_at"]["S"]),
                         choice=item["choice"]["S"], analytics=item["analytics"]["BOOL"],
                         marketing=item["marketing"]["BOOL"], banner_version=int(item["banner_version"]["N"]),
                         kind=RecordKind(item["kind"]["S"]), ip_prefix=item.get("ip_prefix", {}).get("S"),
                         expires_at=int(item["expires_at"]["N"]))


class InMemoryConsentRecords:
    """The same contract in memory, for unit tests."""

    def __init__(self):
        self.records: list[ConsentRecord] = []

    def add(self, record: ConsentRecord) -> None:
        self.records.append(record)

    def of(self, consent_id: str) -> list[ConsentRecord]:
        return sorted((r for r in self.records if r.consent_id == consent_id), key=lambda r: r.recorded_at)
