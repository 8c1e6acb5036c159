"""The daily EventBridge job repeats the notice delivery of every announced, not yet effective version
until every holder has it: a broadcast that stopped is queued again from its cursor; a finished one,
one still running, or a version in force is left alone."""

from datetime import timedelta

from tests.integration.broadcast_helpers import (DyingChannel, WorkerKilled, an_engine, announce_version_2, holders,
                                                 notices_sent, queued_jobs, run_jobs_queue)
from tests.integration.conftest import json_body

EVENT = {"version": "0", "id": "e", "detail-type": "Scheduled Event", "source": "aws.events",
         "account": "123456789012", "time": "2026-12-08T07:30:00Z", "region": "eu-west-1",
         "resources": ["arn:aws:events:eu-west-1:123456789012:rule/account_notices"], "detail": {}}


def test_daily_job_resumes_a_broadcast_that_died_and_records_its_run(app_module, aws_resources, outbox):
    from chalicelib.composition import services
    from chalicelib.operations.job_runs import JobStatus

    accounts = holders(6)
    clock = announce_version_2()
    sqs = aws_resources.client("sqs")
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName="mailexpert-jobs")["QueueUrl"])  # its message was lost
    try:
        an_engine(DyingChannel(services().mail_sender, 2), page_size=2, concurrency=1).run("policy", "2")
    except WorkerKilled:
        pass
    # WHEN the daily job fires the next day
    clock.advance(days=1)
    app_module.account_notices(EVENT, None)
    # THEN it queued the broadcast again, and once that ran every holder has exactly one mail
    [run] = services().job_runs.latest("policy-notices")
    assert run.status is JobStatus.SUCCEEDED and run.summary == {"pending": ["2"], "queued": ["2"]}
    run_jobs_queue(app_module, aws_resources)
    assert notices_sent(outbox) == {account.email: 1 for account in accounts}
    # WHEN it fires again the day after
    clock.advance(days=1)
    app_module.account_notices(EVENT, None)
    # THEN there is nothing left to do
    assert queued_jobs(aws_resources) == 0
    assert services().job_runs.latest("policy-notices")[0].summary == {"pending": ["2"], "queued": []}


def test_daily_job_leaves_a_running_broadcast_and_a_version_in_force_alone(app_module, aws_resources, outbox):
    from chalicelib.composition import services

    holders(3)
    clock = announce_version_2()
    services().broadcasts  # noqa: B018
    an_engine(page_size=1, budget_s=0).run("policy", "2")  # one page, then its continuation is queued
    jobs_before = queued_jobs(aws_resources)
    app_module.account_notices(EVENT, None)
    assert queued_jobs(aws_resources) == jobs_before  # it saved progress a moment ago: still running
    clock.now = services().policy.get(2).effective_at + timedelta(seconds=1)
    app_module.account_notices(EVENT, None)
    assert services().job_runs.latest("policy-notices")[0].summary == {"pending": [], "queued": []}


def test_local_jobs_page_lists_and_fires_the_policy_notices_job(client, app_module, aws_resources, outbox):
    # GIVEN the local stage's /dev/jobs page WHEN it is opened THEN it offers the policy notices job
    assert 'action="/dev/jobs/policy-notices"' in client.get("/dev/jobs").body.decode()
    # WHEN it is fired by hand THEN it runs, with nothing pending
    response = client.post("/dev/jobs/policy-notices", headers={"Content-Type": "application/json"}, body=b"{}")
    assert response.status_code == 200
    assert json_body(response) == {"job": "policy-notices", "status": "succeeded",
                                   "summary": {"pending": [], "queued": []}}


def test_policy_notices_is_a_daily_schedule_the_local_pump_can_run():
    from datetime import datetime, timezone

    import app
    from chalice.app import ScheduledEventConfig

    from devstack.schedules import next_fire

    [source] = [s for s in app.app.event_sources if isinstance(s, ScheduledEventConfig) and s.name == "account_notices"]
    expression = source.schedule_expression.to_string()
    assert expression == "cron(30 7 * * ? *)"
    assert next_fire(expression, datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)) == \
        datetime(2026, 12, 8, 7, 30, tzinfo=timezone.utc)
