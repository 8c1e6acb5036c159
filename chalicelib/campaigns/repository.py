"""Templates and campaigns in the campaigns table (see models.py for the item layout)."""

import time
from datetime import datetime, timezone

from chalicelib.campaigns.campaigns import Campaign, CampaignState, Fanout, RecipientIndex, Template
from chalicelib.dynamo import bind, conditional_check_failed, write_batch


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _due_at(moment: datetime) -> str:
    """The due index's sort key: an ISO time in UTC, so that text order is time order whatever the
    time zone a send time was given in (a naive time is UTC, as PynamoDB stores it)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat()


def account_key(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


class StateConflict(Exception):
    """The campaign's state changed under us (another request or worker moved it first)."""


class DynamoCampaigns:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.campaigns import models

        self._m = models
        for model in (models.TemplateModel, models.CampaignModel, models.CampaignStateModel, models.FanoutPageModel):
            bind(model, table_name, region, host)

    # --- templates -----------------------------------------------------------------------------

    def save_template(self, template: Template) -> None:
        self._m.TemplateModel(pk=account_key(template.account_id), sk=f"TEMPLATE#{template.template_id}",
                              template_id=template.template_id, name=template.name, subject=template.subject,
                              html=template.html, text=template.text, text_derived=template.text_derived,
                              links=list(template.links) or None, created_at=template.created_at,
                              updated_at=_now()).save()

    def get_template(self, account_id: str, template_id: str) -> Template | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.TemplateModel.get(account_key(account_id), f"TEMPLATE#{template_id}", consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self._template(account_id, item)

    def templates(self, account_id: str) -> list[Template]:
        m = self._m.TemplateModel
        found = [self._template(account_id, i) for i in m.query(account_key(account_id), m.sk.startswith("TEMPLATE#"))]
        return sorted(found, key=lambda t: t.updated_at, reverse=True)

    def delete_template(self, account_id: str, template_id: str) -> None:
        self._m.TemplateModel(pk=account_key(account_id), sk=f"TEMPLATE#{template_id}").delete()

    @staticmethod
    def _template(account_id, item) -> Template:
        return Template(item.template_id, account_id, item.name, item.subject, item.html, item.text,
                        bool(item.text_derived), tuple(item.links or ()), item.created_at, item.updated_at)

    # --- campaigns -----------------------------------------------------------------------------

    def save_campaign(self, campaign: Campaign, expected_state: CampaignState | None = None) -> None:
        """Store a campaign and its state item; with `expected_state`, only if it is still in that
        state (so a pause and a scheduler never overwrite each other's move)."""
        from pynamodb.exceptions import PutError

        m = self._m.CampaignModel
        campaign.updated_at = _now()
        due = campaign.state is CampaignState.SCHEDULED and campaign.send_at is not None
        # the same sparse index lists campaigns being sent, so the scheduler can tell when one is done
        sending = campaign.state is CampaignState.SENDING
        item = m(pk=account_key(campaign.account_id), sk=f"CAMPAIGN#{campaign.campaign_id}",
                 campaign_id=campaign.campaign_id, name=campaign.name, subject=campaign.subject,
                 from_name=campaign.from_name, from_email=campaign.from_email, reply_to=campaign.reply_to,
                 template_id=campaign.template_id,
                 list_id=campaign.list_id, segment_id=campaign.segment_id, send_at=campaign.send_at,
                 time_zone=campaign.time_zone, state=campaign.state.value, tracking=campaign.tracking,
                 content=campaign.content, fanout=campaign.fanout.to_dict(), created_at=campaign.created_at,
                 updated_at=campaign.updated_at, started_at=campaign.started_at, finished_at=campaign.finished_at,
                 held_because=campaign.held_because, due_pk="DUE" if due else "SENDING" if sending else None,
                 due_at=_due_at(campaign.send_at) if due else _due_at(campaign.started_at or _now())
                 if sending else None)
        if campaign.recipient_index is not None:  # a whole-item save keeps what the index job wrote
            index = campaign.recipient_index
            item.received_prefix, item.received_passes = index.prefix_length, index.passes
            item.received_done = index.done_passes
        try:
            item.save(condition=(m.state == expected_state.value) if expected_state else None)
        except PutError as conflict:
            if conditional_check_failed(conflict):
                raise StateConflict() from None
            raise
        self._m.CampaignStateModel(pk=f"CAMPAIGN#{campaign.campaign_id}", sk="STATE", account_id=campaign.account_id,
                                   state=campaign.state.value).save()

    def get_campaign(self, account_id: str, campaign_id: str) -> Campaign | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.CampaignModel.get(account_key(account_id), f"CAMPAIGN#{campaign_id}", consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self._campaign(account_id, item)

    def campaign_state(self, campaign_id: str) -> tuple[str, str] | None:
        """(account id, state) of a campaign, by its id alone."""
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.CampaignStateModel.get(f"CAMPAIGN#{campaign_id}", "STATE", consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return item.account_id, item.state

    def campaigns(self, account_id: str) -> list[Campaign]:
        m = self._m.CampaignModel
        found = [self._campaign(account_id, i) for i in m.query(account_key(account_id), m.sk.startswith("CAMPAIGN#"))]
        return sorted(found, key=lambda c: c.created_at, reverse=True)

    def due(self, now: datetime) -> list[tuple[str, str]]:
        """(account id, campaign id) of scheduled campaigns whose time has come."""
        m = self._m.CampaignModel
        return [(i.pk.removeprefix("ACCOUNT#"), i.sk.removeprefix("CAMPAIGN#"))
                for i in m.due.query("DUE", m.due_at <= _due_at(now))]

    def sending(self) -> list[tuple[str, str]]:
        """(account id, campaign id) of every campaign being sent."""
        m = self._m.CampaignModel
        return [(i.pk.removeprefix("ACCOUNT#"), i.sk.removeprefix("CAMPAIGN#")) for i in m.due.query("SENDING")]

    @staticmethod
    def _campaign(account_id, item) -> Campaign:
        return Campaign(item.campaign_id, account_id, item.name, item.subject, item.from_name, item.reply_to,
                        item.template_id, item.list_id, item.segment_id, CampaignState(item.state), item.created_at,
                        item.updated_at, item.send_at, item.time_zone, bool(item.tracking), item.content,
                        Fanout.from_dict(item.fanout), item.started_at, item.finished_at,
                        RecipientIndex(int(item.received_prefix), int(item.received_passes), int(item.received_done or 0))
                        if item.received_passes is not None else None, item.from_email, item.held_because)

    # --- fan-out pages ---------------------------------------------------------------------------

    def save_page(self, campaign_id: str, page: int, contact_ids: list[str], next_cursor: str | None) -> None:
        self._m.FanoutPageModel(pk=f"CAMPAIGN#{campaign_id}", sk=f"PAGE#{page:08d}", contact_ids=contact_ids,
                                next_cursor=next_cursor).save()

    def get_page(self, campaign_id: str, page: int):
        from pynamodb.exceptions import DoesNotExist

        try:
            return self._m.FanoutPageModel.get(f"CAMPAIGN#{campaign_id}", f"PAGE#{page:08d}", consistent_read=True)
        except DoesNotExist:
            return None

    def erase_account(self, account_id: str) -> int:
        """Every item of the account's templates and campaigns: records, states, fan-out pages,
        send ledger, opens and clicks; then everything under the account's own key."""
        client, table = self._raw()
        partitions = [f"CAMPAIGN#{c.campaign_id}" for c in self.campaigns(account_id)] + [account_key(account_id)]
        erased = 0
        for partition in partitions:
            start = None
            while True:
                page = client.query(TableName=table, KeyConditionExpression="pk = :pk",
                                    ExpressionAttributeValues={":pk": {"S": partition}},
                                    ProjectionExpression="pk, sk", **({"ExclusiveStartKey": start} if start else {}))
                erased += self._delete(page.get("Items", []))
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
        return erased

    # --- plain items: counters, opens and clicks -------------------------------------------------------

    def _raw(self):
        """The table's botocore client and name, for the items no model describes."""
        model = self._m.FanoutPageModel
        return model._get_connection().connection.client, model.Meta.table_name

    def _delete(self, keys: list[dict]) -> int:
        client, table = self._raw()
        for index in range(0, len(keys), 25):  # BatchWriteItem's limit
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[index:index + 25]]
            write_batch(client, table, requests, time.sleep, retries=None)
        return len(keys)

    def _add(self, key: dict, counts: dict[str, int]) -> None:
        """ADD to counters of one item, in one write."""
        client, table = self._raw()
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        client.update_item(TableName=table, Key=key,
                           UpdateExpression="ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(counts))),
                           ExpressionAttributeNames=names,
                           ExpressionAttributeValues={f":v{i}": {"N": str(v)} for i, v in enumerate(counts.values())})

    def _counters(self, key: dict) -> dict[str, int]:
        client, table = self._raw()
        item = client.get_item(TableName=table, Key=key).get("Item", {})
        return {name: int(value["N"]) for name, value in item.items() if "N" in value}

    @staticmethod
    def _engagement_key(campaign_id: str) -> dict:
        return {"pk": {"S": f"CAMPAIGN#{campaign_id}"}, "sk": {"S": "ENGAGEMENT"}}

    @staticmethod
    def _usage_key(account_id: str, month: str) -> dict:
        return {"pk": {"S": account_key(account_id)}, "sk": {"S": f"USAGE#{month}"}}

    def record_engagement(self, campaign_id: str, kind: str, contact_id: str, link_index: int | None = None) -> bool:
        """Remember a contact's first open, or first click on a link; True when it is the first.
        The counters (all, unique, and the hour's bucket for the timeline) are ADDed on one item."""
        client, table = self._raw()
        sort_key = f"OPEN#{contact_id}" if kind == "open" else f"CLICK#{contact_id}#{link_index}"
        try:
            client.put_item(TableName=table, Item={"pk": {"S": f"CAMPAIGN#{campaign_id}"}, "sk": {"S": sort_key},
                                                   "at": {"S": _now().isoformat()}},
                            ConditionExpression="attribute_not_exists(sk)")
            first = True
        except client.exceptions.ConditionalCheckFailedException:
            first = False
        counter = "opens" if kind == "open" else f"clicks_{link_index}"
        counts = {counter: 1, f"{kind}s@{_now():%Y%m%d%H}": 1, **({f"unique_{counter}": 1} if first else {})}
        if kind != "open" and first:  # the first click of this person on any link: the click rate's count
            try:
                client.put_item(TableName=table, Item={"pk": {"S": f"CAMPAIGN#{campaign_id}"},
                                                       "sk": {"S": f"CLICKED#{contact_id}"}},
                                ConditionExpression="attribute_not_exists(sk)")
                counts["unique_clickers"] = 1
            except client.exceptions.ConditionalCheckFailedException:
                pass
        self._add(self._engagement_key(campaign_id), counts)
        return first

    def add_counts(self, campaign_id: str, counts: dict[str, int]) -> None:
        self._add(self._engagement_key(campaign_id), counts)

    def engagement(self, campaign_id: str) -> dict[str, int]:
        return self._counters(self._engagement_key(campaign_id))

    def record_test_send(self, campaign_id: str, to: str, at: datetime) -> None:
        """The campaign's last test mail: to whom, when (its review page shows it)."""
        client, table = self._raw()
        client.put_item(TableName=table, Item={"pk": {"S": f"CAMPAIGN#{campaign_id}"}, "sk": {"S": "TESTSENT"},
                                               "to": {"S": to}, "at": {"S": at.isoformat()}})

    def last_test_send(self, campaign_id: str) -> tuple[str, datetime] | None:
        client, table = self._raw()
        item = client.get_item(TableName=table, Key={"pk": {"S": f"CAMPAIGN#{campaign_id}"}, "sk": {"S": "TESTSENT"}},
                               ConsistentRead=True).get("Item")
        return (item["to"]["S"], datetime.fromisoformat(item["at"]["S"])) if item else None

    def add_usage(self, account_id: str, month: str, counts: dict[str, int]) -> None:
        """The account's use this month (P3, P7): mails sent, campaigns started."""
        self._add(self._usage_key(account_id, month), counts)

    def usage(self, account_id: str, month: str) -> dict[str, int]:
        return self._counters(self._usage_key(account_id, month))

    def usage_months(self, account_id: str) -> dict[str, dict[str, int]]:
        """The account's use in every month it has one (P3, P7), by month ("2026-11"): what
        `add_usage` counted. One query of the account's usage items, page by page."""
        client, table = self._raw()
        months: dict[str, dict[str, int]] = {}
        for page in client.get_paginator("query").paginate(
                TableName=table, KeyConditionExpression="pk = :pk AND begins_with(sk, :usage)",
                ExpressionAttributeValues={":pk": {"S": account_key(account_id)}, ":usage": {"S": "USAGE#"}}):
            for item in page["Items"]:
                months[item["sk"]["S"].removeprefix("USAGE#")] = {
                    name: int(value["N"]) for name, value in item.items() if "N" in value}
        return months

    def sending_totals(self, account_id: str) -> dict[str, int]:
        """What the account's started campaigns sent, summed from their counters: mails SES accepted
        (`sent`), `bounced`, and of the campaigns that counted opens their mails (`tracked_sent`),
        bounces (`tracked_bounced`) and `unique_opens`. Reads the campaigns' keys, then their
        counters a hundred at a time."""
        client, table = self._raw()
        started: dict[str, bool] = {}  # campaign id -> counted opens
        for page in client.get_paginator("query").paginate(
                TableName=table, KeyConditionExpression="pk = :pk AND begins_with(sk, :campaign)",
                ExpressionAttributeValues={":pk": {"S": account_key(account_id)}, ":campaign": {"S": "CAMPAIGN#"}},
                ProjectionExpression="campaign_id, tracking, started_at"):
            for item in page["Items"]:
                if "started_at" in item and "campaign_id" in item:
                    started[item["campaign_id"]["S"]] = item.get("tracking", {}).get("BOOL", True)
        totals = dict.fromkeys(("sent", "bounced", "tracked_sent", "tracked_bounced", "unique_opens"), 0)
        keys = [self._engagement_key(campaign_id) for campaign_id in sorted(started)]
        for start in range(0, len(keys), 100):  # BatchGetItem's limit
            pending = keys[start:start + 100]
            while pending:
                response = client.batch_get_item(RequestItems={table: {"Keys": pending}})
                for item in response.get("Responses", {}).get(table, []):
                    counters = {name: int(value["N"]) for name, value in item.items() if "N" in value}
                    sent = sum(count for name, count in counters.items() if name.startswith("sents@"))
                    bounced = counters.get("bounced", 0)
                    totals["sent"] += sent
                    totals["bounced"] += bounced
                    if started[item["pk"]["S"].removeprefix("CAMPAIGN#")]:
                        totals["tracked_sent"] += sent
                        totals["tracked_bounced"] += bounced
                        totals["unique_opens"] += counters.get("unique_opens", 0)
                pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        return totals

    def contact_engagement(self, contact_id: str, campaigns: list) -> dict[str, dict]:
        """Per campaign: did this contact open it, which of its links did they click (one batch read
        of the keys that could exist)."""
        client, table = self._raw()
        keys = []
        for campaign in campaigns:
            pk = {"S": f"CAMPAIGN#{campaign.campaign_id}"}
            keys.append({"pk": pk, "sk": {"S": f"OPEN#{contact_id}"}})
            keys += [{"pk": pk, "sk": {"S": f"CLICK#{contact_id}#{i}"}}
                     for i in range(len((campaign.content or {}).get("links", [])))]
        found: dict[str, dict] = {}
        for start in range(0, len(keys), 100):  # BatchGetItem's limit
            pending = keys[start:start + 100]
            while pending:
                response = client.batch_get_item(RequestItems={table: {"Keys": pending}})
                for item in response.get("Responses", {}).get(table, []):
                    entry = found.setdefault(item["pk"]["S"].removeprefix("CAMPAIGN#"), {"opened": None, "clicked": []})
                    if item["sk"]["S"].startswith("OPEN#"):
                        entry["opened"] = item["at"]["S"]
                    else:
                        entry["clicked"].append(int(item["sk"]["S"].rsplit("#", 1)[1]))
                pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
        return found

    def forget_engagement(self, contact_id: str, campaigns: list) -> None:
        keys = []
        for campaign_id, entry in self.contact_engagement(contact_id, campaigns).items():
            pk = {"S": f"CAMPAIGN#{campaign_id}"}
            if entry["opened"]:
                keys.append({"pk": pk, "sk": {"S": f"OPEN#{contact_id}"}})
            keys += [{"pk": pk, "sk": {"S": f"CLICK#{contact_id}#{i}"}} for i in entry["clicked"]]
            if entry["clicked"]:
                keys.append({"pk": pk, "sk": {"S": f"CLICKED#{contact_id}"}})
        self._delete(keys)
