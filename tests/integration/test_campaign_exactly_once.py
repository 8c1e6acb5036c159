"""Exactly once per recipient: never mailed twice for a campaign, never silently skipped, whatever
SQS, SES or a dying worker does. Fault injection against moto; the test counts, per address, the
SendEmail calls that SES accepted."""

import threading

import pytest

from chalicelib.delivery.campaign_sender import handle_send_records
from chalicelib.delivery.send_ledger import RecipientState
from tests.integration.campaign_helpers import LEASE_S, Campaign, Faults, WorkerKilled, make_batches

SEEDS = range(20)


def assert_each_recipient_once_at_most(campaign: Campaign, batches, max_unknown: int = 0):
    """Every recipient ends sent (accepted exactly once), failed (never accepted) or unknown (the
    crash window: accepted at most once); none is still waiting, and the counters agree."""
    unknown = 0
    for batch in batches:
        record = campaign.ledger.record(batch.campaign_id, batch.batch_id)
        assert not record.in_flight, "a settled batch has nothing in flight"
        for recipient in batch.recipients:
            accepted = campaign.outbox.accepted[recipient.email]
            state = record.state_of(recipient.contact_id)
            assert accepted <= 1, (recipient.contact_id, state, campaign.kills)
            assert state is not RecipientState.NOT_YET, recipient.contact_id
            if state is RecipientState.SENT:
                assert accepted == 1, recipient.contact_id
                assert record.sent[recipient.contact_id] == campaign.outbox.message_ids[recipient.email]
            elif state is RecipientState.FAILED:
                assert accepted == 0, recipient.contact_id
            elif state is RecipientState.UNKNOWN:
                unknown += 1
    assert unknown <= max_unknown, (unknown, campaign.kills)
    campaign_id = batches[0].campaign_id
    assert campaign.ledger.stats(campaign_id) == campaign.ledger.recount(campaign_id)
    return unknown


@pytest.mark.parametrize("seed", SEEDS)
def test_no_recipient_is_mailed_twice_when_workers_die_at_random_points(aws_resources, seed):
    # GIVEN a campaign of 3 batches of 12, sent 4 at a time; each message delivered twice (SQS's
    # at-least-once); 5% of SES calls throttled; and at every fault point (claim, checkpoint, before
    # and after SES accepts a mail) a 3% chance that the worker is killed
    campaign = Campaign(aws_resources, seed)
    batches = make_batches(f"c{seed}", batches=3, per_batch=12)
    # WHEN the messages are delivered (again after each death, once the lease expired) until settled
    campaign.deliver_until_settled(batches, kill_rate=0.03, throttle_rate=0.05)
    # THEN no address was accepted twice; every recipient is sent, or unknown where a worker died with
    # it in flight (at most one chunk of 4 per death)
    unknown = assert_each_recipient_once_at_most(campaign, batches, max_unknown=4 * len(campaign.kills))
    sent = campaign.ledger.stats(f"c{seed}").sent
    assert sent + unknown == 36


def test_workers_die_at_every_kind_of_point_when_five_campaigns_run_through_the_scenario(aws_resources):
    # GIVEN the randomized scenario for five campaigns at once (so the faults are many)
    campaign = Campaign(aws_resources, seed=1234)
    batches = [batch for seed in range(5) for batch in make_batches(f"f{seed}", batches=3, per_batch=12)]
    # WHEN it runs until every message is settled
    campaign.deliver_until_settled(batches, kill_rate=0.03, throttle_rate=0.05, max_deliveries=1000)
    # THEN workers died at several kinds of points, SES throttled, some recipients ended in the crash
    # window, and still nobody was mailed twice: the scenario really tests something
    assert len(set(campaign.kills)) >= 3, campaign.kills
    assert campaign.throttles > 0
    unknown = sum(assert_each_recipient_once_at_most(campaign, batches[3 * n:3 * n + 3],
                                                     max_unknown=4 * len(campaign.kills)) for n in range(5))
    assert unknown > 0


def test_every_recipient_is_mailed_exactly_once_when_throttled_and_delivered_twice(aws_resources):
    # GIVEN 5% throttling and every message delivered twice, but no worker dies
    campaign = Campaign(aws_resources, seed=5)
    batches = make_batches("t1", batches=4, per_batch=25)
    # WHEN the messages are delivered until settled
    campaign.deliver_until_settled(batches, throttle_rate=0.05)
    # THEN each of the 100 recipients was accepted exactly once, and recorded sent
    assert campaign.throttles > 0
    assert_each_recipient_once_at_most(campaign, batches, max_unknown=0)
    assert campaign.ledger.stats("t1").sent == 100
    assert sorted(campaign.outbox.accepted.values()) == [1] * 100


def test_throttled_recipients_go_back_to_the_queue_when_retries_are_used_up(aws_resources):
    # GIVEN SES throttling 30% of the calls and a worker that does not retry inside the batch
    campaign = Campaign(aws_resources, seed=6)
    [batch] = make_batches("t2", batches=1, per_batch=20)
    message = ("m-1", batch.to_json())
    # WHEN the message is delivered once
    settled = campaign.deliver(message, throttle_rate=0.3, throttle_retries=0)
    # THEN it goes back to the queue (a partial batch failure), with its throttled recipients not yet sent
    record = campaign.ledger.record("t2", batch.batch_id)
    waiting = [r for r in batch.recipients if record.state_of(r.contact_id) is RecipientState.NOT_YET]
    assert not settled and waiting
    assert all(campaign.outbox.accepted[r.email] == 0 for r in waiting)
    # AND its redeliveries send only those, until all are sent exactly once
    campaign.deliver_until_settled([batch], duplicates=False, throttle_rate=0.3, throttle_retries=0)
    assert_each_recipient_once_at_most(campaign, [batch])
    assert campaign.ledger.stats("t2").sent == 20


def test_recipient_in_flight_is_unknown_and_never_resent_when_the_worker_dies_after_ses_accepted(aws_resources):
    # GIVEN a worker sending one mail at a time, killed right after SES accepted the third mail
    campaign = Campaign(aws_resources)
    [batch] = make_batches("k1", batches=1, per_batch=6)
    message = ("m-1", batch.to_json())

    def die_once_the_third_is_accepted():
        if sum(campaign.outbox.accepted.values()) == 3:
            raise WorkerKilled("between SES accepting the third mail and its record")

    sender = campaign.sender(Faults(campaign.rng), max_concurrency=1, before_checkpoint=die_once_the_third_is_accepted)
    with pytest.raises(WorkerKilled):
        try:
            handle_send_records([message], sender)
        finally:
            sender.close()
    assert sum(campaign.outbox.accepted.values()) == 3
    # WHEN SQS delivers the message again before the lease expired
    # THEN that worker leaves it alone: the batch is busy
    assert campaign.deliver(message) is False
    assert sum(campaign.outbox.accepted.values()) == 3
    # WHEN it delivers it again after the lease expired
    campaign.clock.advance(LEASE_S + 1)
    assert campaign.deliver(message) is True
    # THEN the third recipient is reported unknown and was not mailed again; the others were mailed once
    record = campaign.ledger.record("k1", batch.batch_id)
    third = batch.recipients[2]
    assert record.state_of(third.contact_id) is RecipientState.UNKNOWN
    assert campaign.outbox.accepted[third.email] == 1
    assert_each_recipient_once_at_most(campaign, [batch], max_unknown=1)
    assert campaign.ledger.stats("k1").sent == 5 and campaign.ledger.stats("k1").unknown == 1


def test_second_worker_sends_nothing_when_the_same_message_arrives_while_the_first_is_sending(aws_resources):
    # GIVEN a worker that is in the middle of a batch (held at its first SES call)
    campaign = Campaign(aws_resources)
    [batch] = make_batches("d1", batches=1, per_batch=8)
    message = ("m-1", batch.to_json())
    sending, go_on = threading.Event(), threading.Event()

    def hold_first_call():
        sending.set()
        assert go_on.wait(10)

    first = campaign.sender(Faults(campaign.rng), gate=hold_first_call)
    answers = []
    thread = threading.Thread(target=lambda: answers.append(handle_send_records([message], first)))
    thread.start()
    assert sending.wait(10)
    # WHEN SQS hands a duplicate of the message to a second worker meanwhile
    second_settled = campaign.deliver(message)
    # THEN the second worker sends nothing and gives the message back to the queue
    assert second_settled is False
    assert sum(campaign.outbox.accepted.values()) == 0
    go_on.set()
    thread.join(10)
    first.close()
    assert answers == [{"batchItemFailures": []}]
    # AND when the duplicate comes back later, nothing is sent twice
    campaign.clock.advance(360)
    assert campaign.deliver(message) is True
    assert_each_recipient_once_at_most(campaign, [batch])
    assert sorted(campaign.outbox.accepted.values()) == [1] * 8
