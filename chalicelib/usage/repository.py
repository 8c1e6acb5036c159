"""Usage counters in the campaigns table, under the account's own key (P3, P7).

    pk ACCOUNT#<id>  sk USAGE#<yyyy-mm>       the month's counters (campaigns_started, mails_sent,
                                              bytes_sent: the items the campaigns domain wrote before
                                              this package, unchanged; plus recipients, imports,
                                              contacts_imported) and the last value of each gauge
    pk ACCOUNT#<id>  sk METER#GAUGES          the gauges now: contacts, storage_bytes, sending_domains
    pk ACCOUNT#<id>  sk USAGECLAIM#<campaign> the recipients a campaign holds of a month's quota
    pk ACCOUNT#<id>  sk USAGEWARN#<yyyy-mm>   which warning mails went out this month

Every quota is a conditional counter: one UpdateItem that adds `n` only if `used + n <= limit`
(DynamoDB conditions have no arithmetic, so it is written `used <= limit - n`), never a read
followed by a write: two requests at once cannot both pass a limit. A campaign's reservation and
the month's counter change in one transaction, so they always agree. The account's erasure removes
the whole partition, these items with it.
"""

from chalicelib.usage.plans import Meter

GAUGES_SK = "METER#GAUGES"
MAX_RETRIES = 8


class LimitReached(Exception):
    """The counter would pass its limit: nothing was added. `used` is the counter as it is."""

    def __init__(self, used: int):
        super().__init__(used)
        self.used = used


def _key(account_id: str, sort_key: str) -> dict:
    return {"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": sort_key}}


def _numbers(item: dict) -> dict[str, int]:
    return {name: int(value["N"]) for name, value in item.items() if "N" in value}


class DynamoUsage:
    def __init__(self, client, table: str):
        self._client = client  # a botocore DynamoDB client
        self._table = table

    # --- monthly counters --------------------------------------------------------------------------

    def add(self, account_id: str, month: str, counts: dict[str, int]) -> None:
        """ADD to the month's counters, in one write (no limit: what happened is counted)."""
        counts = {name: value for name, value in counts.items() if value}
        if not counts:
            return
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        self._client.update_item(
            TableName=self._table, Key=_key(account_id, f"USAGE#{month}"),
            UpdateExpression="ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(counts))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":v{i}": {"N": str(v)} for i, v in enumerate(counts.values())})

    def month(self, account_id: str, month: str) -> dict[str, int]:
        item = self._client.get_item(TableName=self._table, Key=_key(account_id, f"USAGE#{month}"),
                                     ConsistentRead=True).get("Item", {})
        return _numbers(item)

    def months(self, account_id: str, since: str) -> dict[str, dict[str, int]]:
        """Every month from `since` ("2026-01") on that has counters, by month: one query."""
        found: dict[str, dict[str, int]] = {}
        for page in self._client.get_paginator("query").paginate(
                TableName=self._table, KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
                ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{account_id}"}, ":from": {"S": f"USAGE#{since}"},
                                           ":to": {"S": "USAGE#9999"}}):
            for item in page["Items"]:
                found[item["sk"]["S"].removeprefix("USAGE#")] = _numbers(item)
        return found

    def snapshot(self, account_id: str, month: str, meter: Meter, value: int) -> None:
        """The month's item remembers a gauge's latest value, for the charts of earlier months."""
        self._client.update_item(TableName=self._table, Key=_key(account_id, f"USAGE#{month}"),
                                 UpdateExpression="SET #g = :v", ExpressionAttributeNames={"#g": meter.value},
                                 ExpressionAttributeValues={":v": {"N": str(value)}})

    # --- gauges --------------------------------------------------------------------------------------

    def gauges(self, account_id: str) -> dict[str, int]:
        item = self._client.get_item(TableName=self._table, Key=_key(account_id, GAUGES_SK),
                                     ConsistentRead=True).get("Item", {})
        return _numbers(item)

    def seed(self, account_id: str, meter: Meter, value: int) -> None:
        """Start a gauge that was never kept (an account from before metering) at a counted value;
        a gauge that exists meanwhile is left as it is."""
        self._client.update_item(TableName=self._table, Key=_key(account_id, GAUGES_SK),
                                 UpdateExpression="SET #g = if_not_exists(#g, :v)",
                                 ExpressionAttributeNames={"#g": meter.value},
                                 ExpressionAttributeValues={":v": {"N": str(value)}})

    def set_gauge(self, account_id: str, meter: Meter, value: int, expected: int) -> bool:
        """Set a gauge to `value` only if it still holds `expected` (a compare and set): False when a
        claim or release changed it meanwhile, or it was never kept; nothing was written then."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(account_id, GAUGES_SK), UpdateExpression="SET #g = :v",
                ConditionExpression="#g = :expected", ExpressionAttributeNames={"#g": meter.value},
                ExpressionAttributeValues={":v": {"N": str(value)}, ":expected": {"N": str(expected)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def claim(self, account_id: str, meter: Meter, n: int, limit: int) -> int | None:
        """Add `n` to a gauge only if it stays within `limit`; the new value. None: the gauge was
        never kept (seed it, then claim again). LimitReached: nothing added."""
        if n > limit:
            raise LimitReached(self.gauges(account_id).get(meter.value, 0))
        try:
            answer = self._client.update_item(
                TableName=self._table, Key=_key(account_id, GAUGES_SK), UpdateExpression="ADD #g :n",
                ConditionExpression="attribute_exists(#g) AND #g <= :room",
                ExpressionAttributeNames={"#g": meter.value},
                ExpressionAttributeValues={":n": {"N": str(n)}, ":room": {"N": str(limit - n)}},
                ReturnValues="UPDATED_NEW")
        except self._client.exceptions.ConditionalCheckFailedException:
            used = self.gauges(account_id).get(meter.value)
            if used is None:
                return None
            raise LimitReached(used) from None
        return int(answer["Attributes"][meter.value]["N"])

    def claim_up_to(self, account_id: str, meter: Meter, n: int, limit: int) -> tuple[int, int] | None:
        """Add as much of `n` as fits under `limit`: (added, new value). Each try is a compare and
        swap on the value just read, so two imports at once never pass the limit together. None: the
        gauge was never kept."""
        for _ in range(MAX_RETRIES):
            used = self.gauges(account_id).get(meter.value)
            if used is None:
                return None
            room = max(0, min(n, limit - used))
            if room == 0:
                return 0, used
            try:
                self._client.update_item(
                    TableName=self._table, Key=_key(account_id, GAUGES_SK), UpdateExpression="ADD #g :n",
                    ConditionExpression="#g = :used", ExpressionAttributeNames={"#g": meter.value},
                    ExpressionAttributeValues={":n": {"N": str(room)}, ":used": {"N": str(used)}})
            except self._client.exceptions.ConditionalCheckFailedException:
                continue  # changed since it was read: read it again
            return room, used + room
        raise LimitReached(self.gauges(account_id).get(meter.value, 0))

    def release(self, account_id: str, meter: Meter, n: int) -> int | None:
        """Take `n` off a gauge (something was deleted); the new value, or None if it was never kept."""
        try:
            answer = self._client.update_item(
                TableName=self._table, Key=_key(account_id, GAUGES_SK), UpdateExpression="ADD #g :n",
                ConditionExpression="attribute_exists(#g)", ExpressionAttributeNames={"#g": meter.value},
                ExpressionAttributeValues={":n": {"N": str(-n)}}, ReturnValues="UPDATED_NEW")
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return int(answer["Attributes"][meter.value]["N"])

    # --- a campaign's recipients -------------------------------------------------------------------------

    def reservation(self, account_id: str, campaign_id: str) -> tuple[str, int] | None:
        """(month, recipients) a campaign holds of a month's quota, or None."""
        item = self._client.get_item(TableName=self._table, Key=_key(account_id, f"USAGECLAIM#{campaign_id}"),
                                     ConsistentRead=True).get("Item")
        return (item["month"]["S"], int(item["recipients"]["N"])) if item else None

    def reserve(self, account_id: str, campaign_id: str, month: str, n: int, limit: int) -> int:
        """Make the campaign hold `n` recipients of `month`'s quota: what it held before is counted,
        a hold in another month is given back there. The month's counter after the change;
        LimitReached when the month has no room for the increase (nothing changed)."""
        for _ in range(MAX_RETRIES):
            held = self.reservation(account_id, campaign_id)
            held_month, held_n = held if held else (month, 0)
            grow = n - held_n if held_month == month else n
            writes = []
            if held_month != month and held_n:
                writes.append(self._recipients_update(account_id, held_month, -held_n))
            if grow > 0 and grow > limit:
                raise LimitReached(self.month(account_id, month).get(Meter.RECIPIENTS.value, 0))
            if grow:
                writes.append(self._recipients_update(account_id, month, grow, limit if grow > 0 else None))
            if not writes and held:
                return self.month(account_id, month).get(Meter.RECIPIENTS.value, 0)
            put = {"TableName": self._table, "Item": {**_key(account_id, f"USAGECLAIM#{campaign_id}"),
                                                      "month": {"S": month}, "recipients": {"N": str(n)}}}
            if held:  # only if nobody changed the campaign's hold since it was read
                put.update(ConditionExpression="#mo = :held_month AND #r = :held_n",
                           ExpressionAttributeNames={"#mo": "month", "#r": "recipients"},
                           ExpressionAttributeValues={":held_month": {"S": held_month}, ":held_n": {"N": str(held_n)}})
            else:
                put["ConditionExpression"] = "attribute_not_exists(sk)"
            writes.append({"Put": put})
            try:
                self._client.transact_write_items(TransactItems=writes)
            except self._client.exceptions.TransactionCanceledException as cancelled:
                reasons = [r.get("Code") for r in cancelled.response.get("CancellationReasons", [])]
                counter_refused = any(code == "ConditionalCheckFailed" for code in reasons[:-1])
                if counter_refused:
                    raise LimitReached(self.month(account_id, month).get(Meter.RECIPIENTS.value, 0)) from None
                continue  # the campaign's hold changed meanwhile (or a conflict): read it again
            return self.month(account_id, month).get(Meter.RECIPIENTS.value, 0)
        raise LimitReached(self.month(account_id, month).get(Meter.RECIPIENTS.value, 0))

    def _recipients_update(self, account_id: str, month: str, n: int, limit: int | None = None) -> dict:
        update = {"TableName": self._table, "Key": _key(account_id, f"USAGE#{month}"), "UpdateExpression": "ADD #r :n",
                  "ExpressionAttributeNames": {"#r": Meter.RECIPIENTS.value},
                  "ExpressionAttributeValues": {":n": {"N": str(n)}}}
        if limit is not None:
            update["ConditionExpression"] = "attribute_not_exists(#r) OR #r <= :room"
            update["ExpressionAttributeValues"][":room"] = {"N": str(limit - n)}
        return {"Update": update}

    # --- warning mails ---------------------------------------------------------------------------------

    def claim_warning(self, account_id: str, month: str, meter: Meter, percent: int) -> bool:
        """True only for the first to claim this warning this month: it sends the mail."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(account_id, f"USAGEWARN#{month}"), UpdateExpression="SET #w = :at",
                ConditionExpression="attribute_not_exists(#w)",
                ExpressionAttributeNames={"#w": f"{meter.value}_{percent}"},
                ExpressionAttributeValues={":at": {"N": "1"}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True
