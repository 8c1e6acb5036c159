"""The transactional mail queue: requests go in here, the mail sender handler takes them out."""

from chalicelib.delivery.mail import MailRequest


class MailQueue:
    def __init__(self, client, queue_url: str):
        self._client = client
        self._queue_url = queue_url

    def enqueue(self, request: MailRequest) -> str:
        return self._client.send_message(QueueUrl=self._queue_url, MessageBody=request.to_json())["MessageId"]
