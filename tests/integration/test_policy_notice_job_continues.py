"""100,000 accounts must not need 100,000 invocations: one job works through pages until its time
budget is spent, then queues a continuation with its cursor; the chain ends when the last page is done."""

from tests.integration.broadcast_helpers import an_engine, announce_version_2, holders, notices_sent, queued_jobs


class Stopwatch:
    """A monotonic clock that moves 1 second each time it is read."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_job_hands_over_to_a_continuation_when_its_budget_is_spent(app_module, aws_resources, outbox):
    # GIVEN 9 holders, pages of 2, and a budget that lasts about two pages
    accounts = holders(9)
    announce_version_2()
    from chalicelib.composition import services

    services().jobs_queue  # noqa: B018
    engine = an_engine(page_size=2, budget_s=2.5, monotonic=Stopwatch())
    # WHEN the job runs, and then each continuation it queued
    import json

    sqs = aws_resources.client("sqs")
    url = sqs.get_queue_url(QueueName="mailexpert-jobs")["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)  # the announcement's own job: this test runs the engine by hand
    report = engine.run("policy", "2")
    invocations = [report]
    while report.continued:
        [message] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        job = json.loads(message["Body"])
        assert job["job"] == "broadcast" and job["cursor"]
        report = engine.handle_job(job)
        invocations.append(report)
    # THEN a few invocations of a few pages each sent every holder one mail, and the chain ended
    assert 2 <= len(invocations) <= 3 and all(r.pages >= 1 for r in invocations)
    assert sum(r.pages for r in invocations) == 5 and invocations[-1].finished
    assert notices_sent(outbox) == {account.email: 1 for account in accounts}
    assert queued_jobs(aws_resources) == 0
    progress = services().broadcasts.progress("policy", "2")
    assert progress.done and progress.sent == 9 and progress.cursor is None
