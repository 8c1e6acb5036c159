"""One BatchWriteItem with its retries: what DynamoDB leaves unprocessed is asked again, and what is
still left after the retries is handed back, or, without a retry budget, asked again until all is
written; the pauses double up to a longest one (chalicelib.dynamo.write_batch)."""

from chalicelib.dynamo import write_batch

TABLE = "mailexpert-example"


class BusyDynamo:
    """Leaves the last request of each call unprocessed for the first `busy_calls` calls."""

    def __init__(self, busy_calls: int):
        self.busy_calls, self.calls = busy_calls, []

    def batch_write_item(self, RequestItems):
        requests = RequestItems[TABLE]
        self.calls.append(len(requests))
        if len(self.calls) <= self.busy_calls:
            return {"UnprocessedItems": {TABLE: requests[-1:]}}
        return {"UnprocessedItems": {}}


def _requests(n):
    return [{"PutRequest": {"Item": {"pk": {"S": f"ITEM#{i}"}}}} for i in range(n)]


def test_what_dynamodb_leaves_unprocessed_is_asked_again_after_a_pause():
    dynamo, pauses = BusyDynamo(busy_calls=2), []
    left = write_batch(dynamo, TABLE, _requests(5), pauses.append, retries=3)
    assert left == []
    assert dynamo.calls == [5, 1, 1]
    assert pauses == [0.1, 0.2]


def test_what_is_left_after_the_retries_is_handed_back():
    dynamo, pauses = BusyDynamo(busy_calls=10), []
    left = write_batch(dynamo, TABLE, _requests(3), pauses.append, retries=2)
    assert left == _requests(3)[-1:]
    assert dynamo.calls == [3, 1, 1]


def test_without_a_retry_budget_it_asks_until_all_is_written():
    dynamo, pauses = BusyDynamo(busy_calls=12), []
    left = write_batch(dynamo, TABLE, _requests(4), pauses.append, retries=None)
    assert left == []
    assert dynamo.calls == [4] + [1] * 12
    assert max(pauses) == 1.0  # however long DynamoDB stays busy


def test_the_pauses_double_up_to_the_longest_pause():
    dynamo, pauses = BusyDynamo(busy_calls=7), []
    write_batch(dynamo, TABLE, _requests(2), pauses.append, retries=None, longest_pause=2.0)
    assert pauses == [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]


def test_delete_requests_are_asked_again_like_puts():
    dynamo, pauses = BusyDynamo(busy_calls=1), []
    deletes = [{"DeleteRequest": {"Key": {"pk": {"S": f"ITEM#{i}"}}}} for i in range(3)]
    assert write_batch(dynamo, TABLE, deletes, pauses.append, retries=1) == []
    assert dynamo.calls == [3, 1]
