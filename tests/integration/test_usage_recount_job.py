"""The weekly job `usage-recount` (P3, P7): it recounts every account page by page, sets drifted gauges
right, records and prints a summary (accounts checked, gauges corrected), hands the rest to the jobs
queue when its time runs out, and runs from EventBridge's weekly schedule and `make job`."""

from datetime import datetime, timezone

import pytest

from chalicelib.composition import services
from chalicelib.operations.job_runs import JobStatus
from chalicelib.operations.jobs import run_job
from chalicelib.usage import service as usage_service
from chalicelib.usage.recount import RECOUNT_JOB, UsageRecount
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_campaign_flow import _add
from tests.integration.test_usage_recount_corrects_drifted_gauges import drift
from tests.integration.usage_helpers import account_of, queued, usage_api

EVENT = {"version": "0", "id": "e", "detail-type": "Scheduled Event", "source": "aws.events",
         "account": "123456789012", "time": "2026-12-13T04:00:00Z", "region": "eu-west-1",
         "resources": ["arn:aws:events:eu-west-1:123456789012:rule/usage_recount"], "detail": {}}


@pytest.fixture(autouse=True)
def no_settling(monkeypatch):
    monkeypatch.setattr(usage_service, "RECOUNT_SETTLE_S", 0)


def accounts_with_contacts(client, app_module, aws_resources, outbox, count: int) -> list[tuple[str, str]]:
    """`count` account holders, each with one contact and their gauges kept: (cookie, account id)."""
    found = []
    for number in range(count):
        email = f"houder{number}@example.nl"
        cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox, email=email)
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
        usage_api(client, cookie)
        found.append((cookie, account_of(email).account_id))
    return found


def test_job_corrects_drifted_gauges_of_every_account_and_sums_up(client, app_module, aws_resources, outbox):
    # GIVEN three accounts, two of them with drifted gauges
    (first, first_id), (_, second_id), (third, third_id) = accounts_with_contacts(
        client, app_module, aws_resources, outbox, 3)
    drift(aws_resources, first_id, contacts=40)
    drift(aws_resources, third_id, contacts=0, sending_domains=2)
    # WHEN the job runs as `make job` and the schedule run it
    run = run_job(RECOUNT_JOB, services().job_runs, services().scheduled_jobs())
    # THEN every account was checked and the three drifted gauges were set right
    assert run.status is JobStatus.SUCCEEDED
    assert run.summary == {"accounts": 3, "corrected": 3, "by_meter": {"contacts": 2, "sending_domains": 1},
                           "continued": False}
    assert usage_api(client, first)["contacts"] == 1
    assert (usage_api(client, third)["contacts"], usage_api(client, third)["sending_domains"]) == (1, 0)
    # WHEN it runs again THEN there is nothing left to correct
    assert run_job(RECOUNT_JOB, services().job_runs, services().scheduled_jobs()).summary["corrected"] == 0


def test_job_hands_the_rest_to_the_jobs_queue_when_its_time_runs_out(client, app_module, aws_resources, outbox):
    from tests.integration.test_data_rights import run_background_jobs

    # GIVEN three accounts whose contact gauges all drifted, and a recount with one page of time
    accounts = accounts_with_contacts(client, app_module, aws_resources, outbox, 3)
    for _, account_id in accounts:
        drift(aws_resources, account_id, contacts=9)
    recount = UsageRecount(services().accounts.account_ids_page, services().usage, services().jobs_queue,
                           budget_s=0, page_size=1)
    jobs_before = queued(aws_resources, "mailexpert-jobs")
    # WHEN it runs
    summary = recount.run()
    # THEN it checked one page and queued the rest
    assert summary["continued"] is True and summary["accounts"] <= 1
    assert queued(aws_resources, "mailexpert-jobs") == jobs_before + 1
    # WHEN the jobs queue runs its continuations (each one page, then the next queued)
    while run_background_jobs(app_module, aws_resources):
        pass
    # THEN every account's gauge is right
    assert [usage_api(client, cookie)["contacts"] for cookie, _ in accounts] == [1, 1, 1]


def test_weekly_schedule_runs_the_job_and_records_its_run(client, app_module, aws_resources, outbox):
    # GIVEN an account whose contacts gauge drifted
    [(cookie, account_id)] = accounts_with_contacts(client, app_module, aws_resources, outbox, 1)
    drift(aws_resources, account_id, contacts=12)
    # WHEN EventBridge's weekly rule fires
    app_module.usage_recount(EVENT, None)
    # THEN the run is recorded with its summary, and the gauge is right
    [run] = services().job_runs.latest(RECOUNT_JOB, limit=1)
    assert run.status is JobStatus.SUCCEEDED and run.summary["corrected"] == 1
    assert usage_api(client, cookie)["contacts"] == 1


def test_make_job_runs_the_recount_and_prints_its_summary(client, app_module, aws_resources, outbox, monkeypatch,
                                                          capsys):
    import devstack.__main__ as devstack_main

    # GIVEN an account whose contacts gauge drifted, and the local stack's `make job`
    [(cookie, account_id)] = accounts_with_contacts(client, app_module, aws_resources, outbox, 1)
    drift(aws_resources, account_id, contacts=12)
    monkeypatch.setattr(devstack_main, "load_app", lambda stage: app_module)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    # WHEN `make job NAME=usage-recount` runs
    assert devstack_main.job("usage-recount", "local") == 0
    # THEN it prints the summary, and the gauge is right
    printed = capsys.readouterr()
    assert "[job] usage-recount: {'accounts': 1, 'corrected': 1" in printed.out + printed.err
    assert usage_api(client, cookie)["contacts"] == 1


def test_usage_recount_is_a_weekly_schedule_the_local_pump_can_run():
    import app
    from chalice.app import ScheduledEventConfig

    from devstack.schedules import next_fire

    [source] = [s for s in app.app.event_sources if isinstance(s, ScheduledEventConfig) and s.name == "usage_recount"]
    expression = source.schedule_expression.to_string()
    assert expression == "cron(0 4 ? * SUN *)"
    assert next_fire(expression, datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)) == \
        datetime(2026, 12, 13, 4, 0, tzinfo=timezone.utc)  # Monday 7 December: the next Sunday
