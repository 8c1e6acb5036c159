"""The whole local stack, as `make run` starts it: moto server, resources from infra/, chalice
local, and the event pump carrying SQS, SNS and schedules to the handlers."""

import json
import os
import time

import boto3
import pytest

from tests.e2e.conftest import STAGE_ENV

pytestmark = pytest.mark.e2e


def _settled_outbox(stack):
    """The outbox once no more SES events are on their way (queued messages are not persisted)."""
    first = json.dumps(stack.get_json("/dev/outbox.json"), sort_keys=True)
    time.sleep(2)
    return first if first == json.dumps(stack.get_json("/dev/outbox.json"), sort_keys=True) else None


def test_health_answers_with_every_table(local_stack):
    health = local_stack.get_json("/health")
    assert health["status"] == "ok"
    assert set(health["tables"].values()) == {"ok"}


def test_mail_goes_round_through_the_queue_and_the_pump(local_stack):
    # WHEN a test mail is requested (it is queued on SQS; the pump hands it to on_mail_message)
    status, body = local_stack.post_json("/dev/test-mail", {"to": "success@simulator.amazonses.com", "language": "en"})
    assert status == 202 and body["queue_message_id"]
    # THEN it shows in the outbox, as handed to SES, and SES's delivery event comes back
    mail = local_stack.wait_for(lambda: local_stack.mail_to("success@simulator.amazonses.com"),
                                what="the mail in the outbox")
    assert mail["subject"] == "Test mail from MailExpert"
    delivered = local_stack.wait_for(
        lambda: {e["event_type"] for e in local_stack.mail_to("success@simulator.amazonses.com")["events"]}
        >= {"Send", "Delivery"}, what="Send and Delivery events")
    assert delivered


def test_simulator_bounce_reaches_the_sns_handler(local_stack):
    # WHEN a mail goes to SES's bounce simulator address
    local_stack.post_json("/dev/test-mail", {"to": "bounce@simulator.amazonses.com"})
    # THEN the SNS handler records a permanent bounce against it
    def bounce():
        mail = local_stack.mail_to("bounce@simulator.amazonses.com")
        return mail and next((e for e in mail["events"] if e["event_type"] == "Bounce"), None)

    event = local_stack.wait_for(bounce, what="the bounce event")
    assert event["bounce_type"] == "Permanent"
    assert event["recipients"] == ["bounce@simulator.amazonses.com"]
    # AND the handler's log line says so, without the address
    log = local_stack.wait_for(lambda: [line for line in local_stack.log().splitlines()
                                        if "ses event recorded" in line and "Bounce" in line], what="the log line")
    assert all("bounce@simulator" not in line for line in log)


def test_scheduled_job_can_be_fired_now(local_stack):
    # WHEN the daily backup is fired as EventBridge would
    result = local_stack.run_job("daily-backup")
    assert result.returncode == 0, result.stdout + result.stderr
    # THEN every table has a backup on the embedded AWS
    dynamodb = boto3.client("dynamodb", endpoint_url=STAGE_ENV["AWS_ENDPOINT_URL"], region_name="eu-west-1",
                            aws_access_key_id="local", aws_secret_access_key="local")
    for table in dynamodb.list_tables()["TableNames"]:
        assert dynamodb.list_backups(TableName=table)["BackupSummaries"], table
    # AND an unknown job name is refused with the known ones listed
    unknown = local_stack.run_job("nightly-nonsense")
    assert unknown.returncode == 2
    assert "daily_backup" in unknown.stdout


def test_poison_message_ends_in_the_dead_letter_queue(local_stack):
    # GIVEN a message the mail sender can never handle
    sqs = boto3.client("sqs", endpoint_url=STAGE_ENV["AWS_ENDPOINT_URL"], region_name="eu-west-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    queue = sqs.get_queue_url(QueueName="mailexpert-mail")["QueueUrl"]
    dead_letters = sqs.get_queue_url(QueueName="mailexpert-mail-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="not a mail request")
    # THEN after the redrive count it is moved to the dead-letter queue, not retried for ever
    moved = local_stack.wait_for(
        lambda: sqs.receive_message(QueueUrl=dead_letters, WaitTimeSeconds=1).get("Messages"), timeout_s=45,
        what="the message in the DLQ")
    assert moved[0]["Body"] == "not a mail request"


def test_data_survives_a_restart(local_stack):
    # GIVEN a bounced mail recorded in DynamoDB
    local_stack.post_json("/dev/test-mail", {"to": "bounce@simulator.amazonses.com", "note": "before restart"})
    local_stack.wait_for(lambda: any(e["event_type"] == "Bounce" for m in local_stack.get_json("/dev/outbox.json")
                                     for e in m["events"]), what="a bounce")
    # (a campaign of an earlier test may still be sending on a busy machine: give it time to finish)
    before = local_stack.wait_for(lambda: _settled_outbox(local_stack), timeout_s=180,
                                  what="SES events to stop arriving")
    # WHEN the stack is stopped with Ctrl-C and started again
    local_stack.stop()
    assert "data saved" in local_stack.log()
    local_stack.start()
    # THEN the mail events are still there
    after = json.dumps(local_stack.get_json("/dev/outbox.json"), sort_keys=True)
    assert after == before
    assert "restored" in local_stack.log()


def _api_account(stack, email):
    """Register and log in through the API; returns the headers of the signed-in caller."""
    import urllib.request

    registration = {"name": "Anna", "email": email, "password": "correct horse battery", "phone": "0201234567",
                    "street": "Dam 1", "postcode": "1012JS", "city": "Amsterdam", "country": "NL"}
    assert stack.post_json("/api/v1/accounts", registration)[0] == 202
    import re

    mail = stack.wait_for(lambda: stack.mail_to(email), what="the verification mail")
    token = re.search(r"/verify-email\?token=([A-Za-z0-9_\-]+)", mail["text"]).group(1)
    assert stack.post_json("/api/v1/email-verifications", {"token": token})[0] == 200
    request = urllib.request.Request(stack.base_url + "/api/v1/session", method="POST",
                                     data=json.dumps({"email": email, "password": "correct horse battery"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        session = json.loads(response.read())
        cookie = next(v.split(";")[0] for k, v in response.headers.items()
                      if k.lower() == "set-cookie" and v.startswith("__Host-session="))
    return {"Cookie": cookie, "X-CSRF-Token": session["csrf_token"]}


def test_data_export_is_prepared_by_the_jobs_pump(local_stack):
    import io
    import urllib.request
    import uuid
    import zipfile

    # GIVEN a signed-in account holder
    email = f"export-{uuid.uuid4().hex[:8]}@example.nl"
    headers = _api_account(local_stack, email)
    # WHEN they ask for their data
    status, body = local_stack.request("POST", "/api/v1/me/exports", headers=headers)
    export = json.loads(body)
    assert status == 202 and export["status"] == "queued"
    # THEN the pump runs the background job, and the export becomes ready with a download link
    def ready():
        _, content = local_stack.request("GET", f"/api/v1/me/exports/{export['export_id']}", headers=headers)
        state = json.loads(content)
        return state if state["status"] == "ready" else None

    state = local_stack.wait_for(ready, what="the export to be ready")
    with urllib.request.urlopen(state["download_url"], timeout=30) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.read()))
    assert json.loads(archive.read("profile/profile.json"))["email"] == email


def test_staff_is_granted_only_from_the_command_line(local_stack):
    import subprocess
    import sys
    import uuid

    from tests.e2e.conftest import PROJECT_DIR

    email = f"staff-{uuid.uuid4().hex[:8]}@example.nl"
    _api_account(local_stack, email)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    result = subprocess.run([sys.executable, "-m", "ops.staff", "grant", email, "--stage", "e2e"], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=60, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    dynamodb = boto3.client("dynamodb", endpoint_url=STAGE_ENV["AWS_ENDPOINT_URL"], region_name="eu-west-1",
                            aws_access_key_id="local", aws_secret_access_key="local")
    claim = dynamodb.get_item(TableName="mailexpert-accounts", Key={"pk": {"S": "EMAIL#" + email}})["Item"]
    account = dynamodb.get_item(TableName="mailexpert-accounts",
                                Key={"pk": {"S": "ACCOUNT#" + claim["account_id"]["S"]}})["Item"]
    assert account["staff"] == {"BOOL": True}
    unknown = subprocess.run([sys.executable, "-m", "ops.staff", "grant", "nobody@example.nl", "--stage", "e2e"],
                             cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60, env=environment)
    assert unknown.returncode == 2


def test_sign_up_form_confirmation_and_consent_in_the_local_stack(local_stack):
    import re
    import urllib.parse
    import uuid

    # GIVEN an account holder with a list
    headers = _api_account(local_stack, f"owner-{uuid.uuid4().hex[:8]}@example.nl")
    _, body = local_stack.request("POST", "/api/v1/lists", {"name": "Nieuwsbrief"}, headers=headers)
    list_id = json.loads(body)["list_id"]
    subscriber = f"piet-{uuid.uuid4().hex[:8]}@example.org"
    # WHEN someone signs up on the hosted form
    form = urllib.parse.urlencode({"email": subscriber, "first_name": "Piet"}).encode()
    status, _ = _post_form(local_stack, f"/f/{list_id}", form)
    assert status == 200
    # THEN the confirmation mail arrives in the outbox, with its link
    mail = local_stack.wait_for(lambda: local_stack.mail_to(subscriber), what="the confirmation mail")
    token = re.search(r"/f/confirm\?token=([A-Za-z0-9_\-]+)", mail["text"]).group(1)
    # AND confirming subscribes them, with the record of their consent
    assert _post_form(local_stack, "/f/confirm", urllib.parse.urlencode({"token": token}).encode())[0] == 200
    _, members = local_stack.request("GET", f"/api/v1/lists/{list_id}/members?status=subscribed", headers=headers)
    [member] = json.loads(members)["contacts"]
    assert member["email"] == subscriber
    dynamodb = boto3.client("dynamodb", endpoint_url=STAGE_ENV["AWS_ENDPOINT_URL"], region_name="eu-west-1",
                            aws_access_key_id="local", aws_secret_access_key="local")
    # every page: by now the suite's earlier tests have filled the table past one scan page
    items = [item for page in dynamodb.get_paginator("scan").paginate(
        TableName="mailexpert-audience", FilterExpression="sk = :sk",
        ExpressionAttributeValues={":sk": {"S": f"CONTACT#{member['contact_id']}"}}) for item in page["Items"]]
    # the first list a contact joins is stored on the contact item itself
    [membership] = [i for i in items if i["sk"]["S"] == f"CONTACT#{member['contact_id']}"
                    and i["list_id"]["S"] == list_id]
    consent = json.loads(membership["consent"]["S"])
    assert consent["source"] == "form" and consent["confirmed_at"] and consent["form_text"]


def _post_form(stack, path, body: bytes):
    import urllib.request

    request = urllib.request.Request(stack.base_url + path, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()
