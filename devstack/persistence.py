"""Keeps the local data across restarts of `make run`.

moto keeps its state in memory (its backends hold locks and cannot be pickled), so the stack
saves what users create, every DynamoDB item and S3 object of the template's tables and
buckets, and the names of the SES identities (accounts' sending domains), to
`<state dir>/aws-state.json` periodically and on Ctrl-C, and loads it after the resources are
created again. Messages still waiting in queues are not kept.
"""

import base64
import json
import os

from devstack.infra import bucket_names, table_names

STATE_FILE = "aws-state.json"
ACCOUNT_ID = "123456789012"


def _encode(value):
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def snapshot(session, endpoint_url: str, template: dict, region: str) -> dict:
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    s3 = session.client("s3", endpoint_url=endpoint_url)
    tables = {}
    for table in table_names(template):
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            items.extend(page["Items"])
        tables[table] = items
    buckets = {}
    for bucket in bucket_names(template, ACCOUNT_ID, region):
        objects = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                got = s3.get_object(Bucket=bucket, Key=obj["Key"])
                objects[obj["Key"]] = {"body": got["Body"].read(), "content_type": got.get("ContentType")}
        buckets[bucket] = objects
    ses = session.client("sesv2", endpoint_url=endpoint_url)
    identities = [i["IdentityName"] for i in ses.list_email_identities().get("EmailIdentities", [])]
    return {"tables": tables, "buckets": buckets, "ses_identities": identities}


def save(state: dict, state_dir: str) -> None:
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, STATE_FILE)
    with open(path + ".tmp", "w", encoding="utf-8") as file:
        json.dump(_encode(state), file)
    os.replace(path + ".tmp", path)  # never a half-written state file


def load(state_dir: str) -> dict | None:
    try:
        with open(os.path.join(state_dir, STATE_FILE), encoding="utf-8") as file:
            return _decode(json.load(file))
    except FileNotFoundError:
        return None


def restore(session, endpoint_url: str, state: dict) -> tuple[int, int]:
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    s3 = session.client("s3", endpoint_url=endpoint_url)
    item_count = object_count = 0
    for table, items in state.get("tables", {}).items():
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]
            while requests:
                unprocessed = dynamodb.batch_write_item(RequestItems={table: requests}).get("UnprocessedItems", {})
                requests = unprocessed.get(table, [])
        item_count += len(items)
    for bucket, objects in state.get("buckets", {}).items():
        for key, obj in objects.items():
            extra = {"ContentType": obj["content_type"]} if obj.get("content_type") else {}
            s3.put_object(Bucket=bucket, Key=key, Body=obj["body"], **extra)
            object_count += 1
    ses = session.client("sesv2", endpoint_url=endpoint_url)
    known = {i["IdentityName"] for i in ses.list_email_identities().get("EmailIdentities", [])}
    for identity in state.get("ses_identities", []):
        if identity not in known:
            ses.create_email_identity(EmailIdentity=identity)
    return item_count, object_count
