"""The notice mail of a new policy version reaches every account holder exactly once (P17), even when
the job runs twice, runs concurrently, or dies halfway; counted in what SES accepted (the outbox)."""

import threading

import pytest

from chalicelib.delivery.broadcast import BroadcastState
from tests.integration.broadcast_helpers import (DyingChannel, WorkerKilled, an_engine, announce_version_2, holders,
                                                 notices_sent, queued_jobs, run_jobs_queue)


def addresses(accounts) -> set[str]:
    return {account.email for account in accounts}


def test_announcing_queues_the_notice_and_the_job_mails_every_holder_once(app_module, aws_resources, outbox):
    # GIVEN 12 account holders
    accounts = holders(12)
    # WHEN staff announce version 2 and the jobs queue runs
    announce_version_2()
    assert queued_jobs(aws_resources) == 1
    run_jobs_queue(app_module, aws_resources)
    # THEN SES accepted exactly one notice per holder, in the holder's language
    assert notices_sent(outbox) == {address: 1 for address in addresses(accounts)}
    subjects = {mail["to"][0]: mail["subject"] for mail in outbox.mails() if mail["tags"].get("template") == "policy_notice"}
    assert subjects["h001@example.nl"].startswith("Het privacybeleid van MailExpert verandert op")
    assert subjects["h000@example.nl"].startswith("MailExpert's privacy policy changes on")
    mail = next(m for m in outbox.mails() if m["to"] == ["h000@example.nl"])
    assert "/privacy#changes" in mail["text"] and "List-Unsubscribe" not in mail["headers"]


def test_job_run_twice_sends_nothing_the_second_time(app_module, aws_resources, outbox):
    accounts = holders(8)
    announce_version_2()
    run_jobs_queue(app_module, aws_resources)
    # WHEN the same job runs again (SQS delivered it twice, or someone queued it again)
    second = an_engine().run("policy", "2")
    # THEN nobody gets a second mail
    assert second.sent == 0 and second.already == 8
    assert notices_sent(outbox) == {address: 1 for address in addresses(accounts)}


def test_concurrent_runs_send_each_holder_one_mail(app_module, aws_resources, outbox):
    # GIVEN 20 holders and three workers that start the same broadcast at the same moment, page by page of 3
    accounts = holders(20)
    announce_version_2()
    start = threading.Barrier(3)
    reports, failures = [], []

    def work():
        try:
            start.wait(10)
            reports.append(an_engine(page_size=3, concurrency=2).run("policy", "2"))
        except Exception as error:  # surfaced below
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # THEN every holder got exactly one mail, and the runs together sent exactly that many
    assert failures == []
    assert notices_sent(outbox) == {address: 1 for address in addresses(accounts)}
    assert sum(report.sent for report in reports) == 20


@pytest.mark.parametrize("die_after", [1, 5, 9])
def test_worker_killed_halfway_then_run_again_sends_each_holder_one_mail(app_module, aws_resources, outbox, die_after):
    # GIVEN 10 holders, and a worker that dies right after SES accepted its `die_after`th mail
    accounts = holders(10)
    announce_version_2()
    from chalicelib.composition import services

    dying = DyingChannel(services().mail_sender, die_after)
    with pytest.raises(WorkerKilled):
        an_engine(dying, page_size=4, concurrency=1).run("policy", "2")
    assert sum(notices_sent(outbox).values()) == die_after
    # WHEN the job runs again (SQS hands the message back; the daily job queues it again)
    an_engine(page_size=4).run("policy", "2")
    # THEN every holder got exactly one mail: those whose outcome the dead worker never recorded (its
    # last chunk: one page of 4 here) were not mailed again (SES had them), and are not reported sent
    assert notices_sent(outbox) == {address: 1 for address in addresses(accounts)}
    from chalicelib import aws
    from chalicelib.config import settings
    from chalicelib.delivery.broadcast import DynamoBroadcastLedger

    ledger = DynamoBroadcastLedger(aws.dynamodb(), settings().notices_table)
    states = [ledger.state_of("policy", "2", account.account_id) for account in accounts]
    in_doubt = states.count(BroadcastState.SENDING)
    assert 1 <= in_doubt <= 4 and states.count(BroadcastState.SENT) == 10 - in_doubt
