from tests.integration.conftest import json_body


def test_health_reports_ok_when_every_table_answers(client):
    # WHEN /health is asked
    response = client.get("/health")
    # THEN it answers 200 with the version and each table ok
    body = json_body(response)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["version"]
    from chalicelib.config import settings

    assert body["tables"] == {role: "ok" for role in settings().table_names}


def test_health_is_degraded_when_a_table_is_missing(client, aws_resources):
    # GIVEN the job runs table is gone
    aws_resources.client("dynamodb").delete_table(TableName="mailexpert-job-runs")
    # WHEN /health is asked
    response = client.get("/health")
    # THEN it answers 503 and names the table that does not answer
    body = json_body(response)
    assert response.status_code == 503
    assert body["status"] == "degraded"
    assert body["tables"]["mail_events"] == "ok"
    assert body["tables"]["job_runs"].startswith("unavailable")


def test_health_names_the_malware_scanner_that_judges_uploads(client):
    # GIVEN the tests' stage (local) WHEN /health is asked
    body = json_body(client.get("/health"))
    # THEN it says which local scanner judges uploads here: the stand-in, or ClamAV where clamd answers
    from chalicelib.composition import services

    assert body["malware_scanner"] == services().upload_scan.scanner_name
    assert body["malware_scanner"] in ("stand-in", "clamav")
