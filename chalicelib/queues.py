"""An SQS queue, as the services see it: send one message, or many in as few calls as SQS allows."""

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
