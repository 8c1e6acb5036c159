"""The news in the notices table (`mailexpert-notices`, pk/sk strings, TTL `expires_at`):

  pk NEWS              sk ENTRY#<entry id>   one entry: kind, titles and bodies (nl, en), link,
                                             active_only, published_at
  pk NEWS              sk HEAD               `index`: a string set "<entry id> <A|E>" of the newest
                                             entries (A: for active accounts only); `banners`: a
                                             string set of maintenance banners (JSON)
  pk NEWS              sk PRODUCT#<entry id> product news as mailed: subject, sanitised HTML and
                                             text part (templates) per language, published_at/by
  pk NEWS-READ#<account id>  sk NEWS         `seen`: the newest entry id the account has seen;
                                             expires_at (TTL) a while after its last visit

A page render reads the HEAD and the account's read mark in one BatchGetItem: that is all the unread
count and the banners need, however many entries there are. The news page itself is one Query on
the entries, newest first, with a limit. Publishing adds to the HEAD's sets with ADD, which is
atomic: two staff publishing at once lose nothing.
"""

import json
import time
from datetime import datetime

from chalicelib.news.items import MaintenanceBanner, NewsItem, NewsKind

NEWS_PK = "NEWS"
HEAD_SK = "HEAD"
ENTRY_PREFIX = "ENTRY#"
PRODUCT_PREFIX = "PRODUCT#"
READ_PK_PREFIX = "NEWS-READ#"
READ_SK = "NEWS"
INDEX_LIMIT = 300  # entries the HEAD remembers for unread counts; older ones count as read
READ_MARK_RETENTION_S = 400 * 24 * 3600  # a read mark outlives a year without a visit, then goes


def _s(value: str) -> dict:
    return {"S": value}


class DynamoNews:
    """The news items, through a boto3 DynamoDB client."""

    def __init__(self, client, table_name: str, clock=time.time):
        self._client = client
        self._table = table_name
        self._clock = clock

    # --- entries -------------------------------------------------------------------------------

    def add(self, item: NewsItem) -> bool:
        """Store a published entry and count it in the HEAD; False when that id was already stored
        (a repeated publication), which still makes sure the HEAD counts it."""
        record = {"pk": _s(NEWS_PK), "sk": _s(ENTRY_PREFIX + item.entry_id), "kind": _s(item.kind.value),
                  "published_at": _s(item.published_at.isoformat()), "active_only": {"BOOL": item.active_only}}
        for language in ("nl", "en"):
            record[f"title_{language}"] = _s(item.title.get(language, ""))
            record[f"body_{language}"] = _s(item.body.get(language, ""))
        if item.link:
            record["link"] = _s(item.link)
        created = True
        try:
            self._client.put_item(TableName=self._table, Item=record, ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            created = False
        answer = self._client.update_item(
            TableName=self._table, Key={"pk": _s(NEWS_PK), "sk": _s(HEAD_SK)}, UpdateExpression="ADD #index :entry",
            ExpressionAttributeNames={"#index": "index"},
            ExpressionAttributeValues={":entry": {"SS": [f"{item.entry_id} {'A' if item.active_only else 'E'}"]}},
            ReturnValues="UPDATED_NEW")
        index = answer.get("Attributes", {}).get("index", {}).get("SS", [])
        if len(index) > INDEX_LIMIT:
            self._remove_from_head("index", sorted(index)[:len(index) - INDEX_LIMIT])
        return created

    def entries(self, limit: int) -> list[NewsItem]:
        """The newest entries first."""
        answer = self._client.query(
            TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": _s(NEWS_PK), ":prefix": _s(ENTRY_PREFIX)},
            ScanIndexForward=False, Limit=limit)
        return [_entry(record) for record in answer.get("Items", [])]

    def entry(self, entry_id: str) -> NewsItem | None:
        record = self._client.get_item(TableName=self._table,
                                       Key={"pk": _s(NEWS_PK), "sk": _s(ENTRY_PREFIX + entry_id)}).get("Item")
        return _entry(record) if record else None

    def add_product_news(self, news) -> None:
        """The mail of published product news (`chalicelib.news.product_news.ProductNews`), kept
        for the delivery; written before its entry, once."""
        record = {"pk": _s(NEWS_PK), "sk": _s(PRODUCT_PREFIX + news.news_id),
                  "published_at": _s(news.published_at.isoformat()), "published_by": _s(news.published_by)}
        for language in ("nl", "en"):
            for part in ("subject", "html", "text"):
                record[f"{part}_{language}"] = _s(getattr(news, part)[language])
        self._client.put_item(TableName=self._table, Item=record)

    def product_news(self, news_id: str):
        from chalicelib.news.product_news import ProductNews

        record = self._client.get_item(TableName=self._table,
                                       Key={"pk": _s(NEWS_PK), "sk": _s(PRODUCT_PREFIX + news_id)}).get("Item")
        if record is None:
            return None
        parts = {part: {language: record[f"{part}_{language}"]["S"] for language in ("nl", "en")}
                 for part in ("subject", "html", "text")}
        return ProductNews(news_id=news_id, published_at=datetime.fromisoformat(record["published_at"]["S"]),
                           published_by=record["published_by"]["S"], **parts)

    # --- the HEAD and the read marks -----------------------------------------------------------

    def page_state(self, account_id: str) -> tuple[list[tuple[str, bool]], list[MaintenanceBanner], str | None]:
        """In one BatchGetItem: the HEAD's (entry id, active only) pairs and banners, and the id the
        account has seen up to (None: never opened the news page, or long ago)."""
        keys = [{"pk": _s(NEWS_PK), "sk": _s(HEAD_SK)}, {"pk": _s(READ_PK_PREFIX + account_id), "sk": _s(READ_SK)}]
        found = []
        for _ in range(3):
            answer = self._client.batch_get_item(RequestItems={self._table: {"Keys": keys}})
            found += answer.get("Responses", {}).get(self._table, [])
            keys = answer.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
            if not keys:
                break
        head = next((r for r in found if r["sk"]["S"] == HEAD_SK and r["pk"]["S"] == NEWS_PK), {})
        mark = next((r for r in found if r["pk"]["S"].startswith(READ_PK_PREFIX)), {})
        return _index(head), _banners(head), mark.get("seen", {}).get("S")

    def head(self) -> tuple[list[tuple[str, bool]], list[MaintenanceBanner]]:
        record = self._client.get_item(TableName=self._table, Key={"pk": _s(NEWS_PK), "sk": _s(HEAD_SK)}).get("Item")
        return _index(record or {}), _banners(record or {})

    def mark_seen(self, account_id: str, entry_id: str) -> None:
        """The account has seen every entry up to this id; never moves back (two tabs at once)."""
        try:
            self._client.update_item(
                TableName=self._table, Key={"pk": _s(READ_PK_PREFIX + account_id), "sk": _s(READ_SK)},
                UpdateExpression="SET seen = :seen, expires_at = :expires",
                ConditionExpression="attribute_not_exists(seen) OR seen < :seen",
                ExpressionAttributeValues={":seen": _s(entry_id),
                                           ":expires": {"N": str(int(self._clock()) + READ_MARK_RETENTION_S)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            pass

    def forget_reader(self, account_id: str) -> None:
        """An erased account's read mark."""
        self._client.delete_item(TableName=self._table,
                                 Key={"pk": _s(READ_PK_PREFIX + account_id), "sk": _s(READ_SK)})

    # --- banners -------------------------------------------------------------------------------

    def add_banner(self, banner: MaintenanceBanner) -> None:
        self._client.update_item(
            TableName=self._table, Key={"pk": _s(NEWS_PK), "sk": _s(HEAD_SK)}, UpdateExpression="ADD banners :banner",
            ExpressionAttributeValues={":banner": {"SS": [_banner_json(banner)]}})

    def remove_banners(self, banners: list[MaintenanceBanner]) -> None:
        if banners:
            self._remove_from_head("banners", [_banner_json(b) for b in banners])

    def _remove_from_head(self, attribute: str, values: list[str]) -> None:
        self._client.update_item(
            TableName=self._table, Key={"pk": _s(NEWS_PK), "sk": _s(HEAD_SK)}, UpdateExpression="DELETE #set :values",
            ExpressionAttributeNames={"#set": attribute}, ExpressionAttributeValues={":values": {"SS": values}})


def _entry(record: dict) -> NewsItem:
    text = {name: {language: record.get(f"{name}_{language}", {}).get("S", "") for language in ("nl", "en")}
            for name in ("title", "body")}
    return NewsItem(kind=NewsKind(record["kind"]["S"]), title=text["title"], body=text["body"],
                    published_at=datetime.fromisoformat(record["published_at"]["S"]),
                    link=record.get("link", {}).get("S"), active_only=record.get("active_only", {}).get("BOOL", False),
                    entry_id=record["sk"]["S"].removeprefix(ENTRY_PREFIX))


def _index(head: dict) -> list[tuple[str, bool]]:
    pairs = []
    for value in head.get("index", {}).get("SS", []):
        entry_id, _, audience = value.partition(" ")
        pairs.append((entry_id, audience == "A"))
    return pairs


def _banner_json(banner: MaintenanceBanner) -> str:
    return json.dumps({"id": banner.banner_id, "start": banner.start.isoformat(), "end": banner.end.isoformat(),
                       "text": banner.text, "link": banner.link}, sort_keys=True, ensure_ascii=False)


def _banners(head: dict) -> list[MaintenanceBanner]:
    banners = []
    for value in head.get("banners", {}).get("SS", []):
        data = json.loads(value)
        banners.append(MaintenanceBanner(banner_id=data["id"], start=datetime.fromisoformat(data["start"]),
                                         end=datetime.fromisoformat(data["end"]), text=data["text"],
                                         link=data.get("link")))
    return sorted(banners, key=lambda banner: banner.start)
