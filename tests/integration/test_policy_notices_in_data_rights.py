"""What the notices domain keeps of an account holder (the notices mailed to them, the banners they
dismissed) is in their data export, and goes with their erasure."""

import io
import json
import zipfile
from datetime import datetime, timezone

from tests.fakes.notices import Clock
from tests.integration.accounts_helpers import PASSWORD, REGISTRATION, csrf_token_of, post_form
from tests.integration.broadcast_helpers import announce_version_2, notices_sent, run_jobs_queue
from tests.integration.policy_helpers import staff_and_holder

EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"


def noticed_and_dismissed(client, app_module, aws_resources, outbox):
    """Anna, who got the notice of version 2 and dismissed its banner."""
    from chalicelib.composition import services

    _, holder = staff_and_holder(client, app_module, aws_resources, outbox)
    announce_version_2(Clock(datetime.now(timezone.utc)))
    run_jobs_queue(app_module, aws_resources)
    assert notices_sent(outbox)[REGISTRATION["email"]] == 1
    page = client.get("/app", headers={"Cookie": holder}).body.decode()
    post_form(client, "/privacy/dismiss/2", {"csrf_token": csrf_token_of(page)}, cookie=holder)
    return services().accounts.by_email(REGISTRATION["email"]), holder


def test_export_holds_the_notices_mailed_and_the_banners_dismissed(client, app_module, aws_resources, outbox):
    from chalicelib.composition import services

    account, _ = noticed_and_dismissed(client, app_module, aws_resources, outbox)
    export = services().data_rights.request_export(account, None)
    ready = services().data_rights.prepare_export(account.account_id, export.export_id)
    body = aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=ready.object_key)["Body"].read()
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert json.loads(archive.read("notices/policy_notices.json")) == [
        {"policy_version": 2, "notice": "policy", "state": "sent"}]
    assert json.loads(archive.read("notices/dismissed_policy_banners.json")) == [2]
    assert b"notices/" in archive.read("README.txt")


def test_erasure_leaves_nothing_of_the_holder_in_the_notices_table(client, app_module, aws_resources, outbox):
    account, holder = noticed_and_dismissed(client, app_module, aws_resources, outbox)
    items = aws_resources.client("dynamodb").scan(TableName="mailexpert-notices")["Items"]
    assert account.account_id in json.dumps(items)
    page = client.get("/settings", headers={"Cookie": holder}).body.decode()
    response = post_form(client, "/settings/erase", {"csrf_token": csrf_token_of(page), "erase_password": PASSWORD,
                                                     "erase_confirm": "on"}, cookie=holder)
    assert response.status_code == 200
    items = aws_resources.client("dynamodb").scan(TableName="mailexpert-notices")["Items"]
    assert account.account_id not in json.dumps(items)
