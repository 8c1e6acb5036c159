"""The transactional mail queue: requests go in here, the mail sender handler takes them out."""

from chalicelib.delivery.mail import MailRequest


class MailQueue:
    def __init__(self, queue):
        self._queue = queue  # `chalicelib.queues.SqsQueue`

    def enqueue(self, request: MailRequest) -> str:
        return self._queue.send(request.to_json())
