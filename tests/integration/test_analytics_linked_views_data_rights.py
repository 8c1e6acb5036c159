"""P13 + P14: page views linked to an account (marketing consent) are in the account's data export
and are erased with the account; the daily totals, which name no account, stay."""

import io
import json
import zipfile
from urllib.parse import urlsplit

from tests.integration.accounts_helpers import PASSWORD, csrf_token_of, log_in, post_form, register
from tests.integration.analytics_helpers import ANALYTICS_TABLE, counters, raw_views, send_beacon
from tests.integration.test_data_rights import EXPORTS_BUCKET, export_id_on, run_background_jobs


def _browsing_anna(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    send_beacon(client, "1.analytics.marketing", cookie=cookie,
                body={"path": "/campaigns", "dwell_ms": 2500, "screen": "1440x900"})
    send_beacon(client, "1.analytics", body={"path": "/pricing", "dwell_ms": 1, "screen": "800x600"})
    csrf = csrf_token_of(client.get("/settings", headers={"Cookie": cookie}).body.decode())
    return cookie, csrf


def test_the_export_holds_the_page_views_linked_to_the_account(client, app_module, aws_resources, outbox):
    cookie, csrf = _browsing_anna(client, app_module, aws_resources, outbox)
    # WHEN Anna downloads her data
    post_form(client, "/settings/export", {"csrf_token": csrf}, cookie=cookie)
    run_background_jobs(app_module, aws_resources)
    page = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    location = client.get(f"/settings/exports/{export_id_on(page)}", headers={"Cookie": cookie}).headers["Location"]
    key = urlsplit(location).path.split(EXPORTS_BUCKET + "/", 1)[-1].lstrip("/")
    body = aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=key)["Body"].read()
    # THEN it holds her linked page view, and not the anonymous one
    [view] = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("page_views/page_views.json"))
    assert (view["path"], view["time_on_page_ms"], view["screen"]) == ("/campaigns", 2500, "1440x900")
    assert view["ip_truncated"] == "127.0.0.0"


def test_erasing_the_account_deletes_its_linked_page_views_and_keeps_the_totals(
        client, app_module, aws_resources, outbox):
    cookie, csrf = _browsing_anna(client, app_module, aws_resources, outbox)
    from chalicelib.composition import services

    account_id = services().accounts.by_email("anna@example.nl").account_id
    # WHEN Anna erases her account
    response = post_form(client, "/settings/erase", {"csrf_token": csrf, "erase_password": PASSWORD,
                                                     "erase_confirm": "on"}, cookie=cookie)
    assert response.status_code == 200
    # THEN no page view names her account any more; the anonymous one and the day's totals stay
    items = aws_resources.client("dynamodb").scan(TableName=ANALYTICS_TABLE)["Items"]
    assert account_id not in json.dumps(items)
    assert [item["path"]["S"] for item in raw_views(aws_resources)] == ["/pricing"]
    assert counters(aws_resources)["views"] == 2
