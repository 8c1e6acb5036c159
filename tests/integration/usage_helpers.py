"""Shared steps for the usage and quota tests: small plan limits, the account, API calls, an image."""

import io
import json

from chalicelib.accounts.account import Plan
from chalicelib.composition import services
from chalicelib.config import settings
from chalicelib.usage import plans
from chalicelib.usage.plans import Limits
from tests.integration.accounts_helpers import REGISTRATION

BIG = 10 ** 9


def small_free_plan(monkeypatch, contacts=BIG, recipients=BIG, storage=BIG, domains=BIG) -> Limits:
    """The Free plan with limits a test can reach in a few steps."""
    limits = Limits(contacts=contacts, recipients_per_month=recipients, storage_bytes=storage,
                    sending_domains=domains)
    monkeypatch.setitem(plans.PLAN_LIMITS, Plan.FREE, limits)
    return limits


def account_of(email=REGISTRATION["email"]):
    return services().accounts.by_email(email)


def api_headers(cookie, csrf, language="en"):
    return {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept-Language": language}


def usage_api(client, cookie) -> dict:
    response = client.get("/api/v1/usage", headers={"Cookie": cookie, "Accept": "application/json"})
    assert response.status_code == 200, response.body
    body = json.loads(response.body)
    return {**{f["meter"]: f["used"] for f in body["figures"]}, "_limits": {f["meter"]: f["limit"]
                                                                            for f in body["figures"]}}


def png(size=(40, 20)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 30)).save(out, format="PNG")
    return out.getvalue()


def upload_image(client, aws_resources, cookie, csrf, data: bytes):
    """Begin an upload through the API, put the file where the browser would, then finish it."""
    headers = api_headers(cookie, csrf)
    begun = client.post("/api/v1/images", headers=headers, body=b"{}")
    assert begun.status_code in (200, 201), begun.body
    upload = json.loads(begun.body)
    aws_resources.client("s3").put_object(Bucket=settings().assets_bucket, Key=upload["fields"]["key"], Body=data)
    return client.post(f"/api/v1/images/{upload['upload_id']}/finish?name=banner", headers=headers, body=b"{}")


def queued(aws_resources, queue_name: str) -> int:
    sqs = aws_resources.client("sqs")
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                        "ApproximateNumberOfMessagesNotVisible"])
    return sum(int(value) for value in attributes["Attributes"].values())


def stored_image_bytes(aws_resources, account_id: str) -> int:
    """What S3 holds of the account's images: each clean image and its thumbnail, as listed by the bucket."""
    from chalicelib.campaigns.image_check import thumbnail_kind

    s3, bucket = aws_resources.client("s3"), settings().assets_bucket
    total = 0
    for asset in services().assets.list_assets(account_id):
        asset_id, extension = asset.path.split(".", 1)
        for key in (f"assets/{asset.path}", f"thumbnails/{asset_id}.{thumbnail_kind(extension)[0]}"):
            listed = s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
            total += sum(item["Size"] for item in listed if item["Key"] == key)
    return total
