"""An SQS queue, as the services see it: send one message, or many in as few calls as SQS allows;
and the one loop every SQS handler runs its records through (Lambda's partial batch response)."""

from concurrent.futures import ThreadPoolExecutor

from chalicelib.observability import logger

MESSAGES_PER_CALL = 10  # SendMessageBatch's limit


class SqsQueue:
    def __init__(self, client, queue_url: str):
        self._client = client
        self._queue_url = queue_url

    def send(self, body: str) -> str:
        """The message's id."""
        return self._client.send_message(QueueUrl=self._queue_url, MessageBody=body)["MessageId"]

    def send_all(self, messages: list[tuple[str, str]]) -> None:
        """(id, body) pairs, ten to a call; SQS names the entries a call did not take, and those go
        again until every one is in the queue."""
        for start in range(0, len(messages), MESSAGES_PER_CALL):
            entries = [{"Id": message_id, "MessageBody": body}
                       for message_id, body in messages[start:start + MESSAGES_PER_CALL]]
            while entries:
                response = self._client.send_message_batch(QueueUrl=self._queue_url, Entries=entries)
                failed = {f["Id"] for f in response.get("Failed", [])}
                entries = [e for e in entries if e["Id"] in failed]


def partial_batch_response(records, handle, side_by_side: bool = False) -> dict:
    """Lambda's partial batch response for an SQS event's (message id, body) `records`.

    `handle(message_id, body)` answers True when the message is done with, False when it must come
    back (SQS delivers it again after its visibility timeout, and after maxReceiveCount moves it to
    the dead-letter queue). A record whose handling raises comes back too: one bad message never
    fails its batch-mates. `side_by_side` runs the records in threads (their work mostly waits)."""
    records = list(records)

    def settled(record) -> bool:
        message_id, body = record
        try:
            return bool(handle(message_id, body))
        except Exception as error:
            logger.exception("queue message failed", queue_message_id=message_id, error=type(error).__name__)
            return False

    if side_by_side and len(records) > 1:
        with ThreadPoolExecutor(max_workers=len(records), thread_name_prefix="queue-record") as pool:
            outcomes = list(pool.map(settled, records))
    else:
        outcomes = [settled(record) for record in records]
    return {"batchItemFailures": [{"itemIdentifier": message_id}
                                  for (message_id, _), done in zip(records, outcomes) if not done]}
