"""The transactional mail queue in memory: what services queue, kept in order to be read by tests."""

from chalicelib.delivery.mail import MailRequest


class InMemoryMailQueue:
    """MailQueue's one call; each request goes through its JSON form, as it does through SQS."""

    def __init__(self):
        self.requests: list[MailRequest] = []

    def enqueue(self, request: MailRequest) -> str:
        self.requests.append(MailRequest.from_json(request.to_json()))
        return f"message-{len(self.requests)}"

    def to(self, address: str) -> list[MailRequest]:
        return [request for request in self.requests if address in request.to]
