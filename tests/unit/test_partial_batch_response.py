"""Every SQS handler answers through one loop: what is not done comes back, and only that."""

import threading

from chalicelib.queues import partial_batch_response


def test_only_the_records_not_done_come_back_and_a_raising_one_does_not_stop_the_rest():
    # GIVEN three records: one done, one that must come back, one whose handling raises
    handled = []

    def handle(message_id, body):
        handled.append(message_id)
        if body == "boom":
            raise RuntimeError("broken")
        return body == "done"

    # WHEN the batch is handled
    response = partial_batch_response([("m1", "boom"), ("m2", "again"), ("m3", "done")], handle)
    # THEN every record was handled, and the two not done are named for SQS to deliver again
    assert handled == ["m1", "m2", "m3"]
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}


def test_side_by_side_records_run_at_once_and_keep_their_order_in_the_answer():
    both_started = threading.Barrier(2, timeout=5)

    def handle(message_id, body):
        both_started.wait()  # would time out (BrokenBarrierError) if the records ran one after the other
        return message_id == "m2"

    response = partial_batch_response([("m1", ""), ("m2", "")], handle, side_by_side=True)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_an_empty_event_needs_nothing_back():
    assert partial_batch_response([], lambda message_id, body: True) == {"batchItemFailures": []}
