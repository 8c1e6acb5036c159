"""The one way mail reaches SES: one client, one token bucket, one reading of SES's answers.

Every kind of mail goes through a `MailChannel` of the one `MailEngine` of a container:
transactional mail and test sends through `send_one`, campaigns through the campaign engine
(`chalicelib.delivery.campaign_sender`), which takes tokens for a chunk at once and sends with
`send` and `send_bulk`. A channel only names SES's configuration set its mail is counted under
(transactional mail and campaigns report apart); the client, the token bucket and the sent-mail
record are the engine's, shared by all.

The retry policy is the same on every path: the client never retries by itself (a SendEmail
repeated after a time-out may already have been accepted, and SES has no idempotency key). What
SES did not take (throttled, never reached) is the caller's to retry: the mail queue hands the
message back to SQS, the campaign engine waits and resends that recipient, a person presses the
button again. What SES may have taken (`Verdict.UNKNOWN`) is never sent again automatically.
"""

from chalicelib import errors
from chalicelib.delivery.mail import MailOrigin
from chalicelib.delivery.sender import SesSender
from chalicelib.delivery.ses_errors import Verdict, classify_ses_error
from chalicelib.i18n import N_


class MailNotSent(errors.DomainError):
    """SES did not take one mail: 422 when it refused it for good, else 503 (try again later)."""

    code = "mail-not-sent"
    title = N_("The mail could not be sent")

    MESSAGES = {
        Verdict.FAILED: N_("Our mail provider refused this mail (%(reason)s). Check the sender address and "
                           "the content, then try again."),
        Verdict.RETRY: N_("Our mail provider is busy right now. Try again in a minute."),
        Verdict.HALT: N_("Our mail provider does not take mail from this account right now (%(reason)s). "
                         "Try again later, or contact support if it lasts."),
        Verdict.UNKNOWN: N_("We could not tell whether the mail went out (%(reason)s). Check the inbox "
                            "before you send it again."),
    }

    def __init__(self, verdict: Verdict, reason: str):
        self.verdict = verdict
        self.reason = reason
        self.status = 422 if verdict is Verdict.FAILED else 503
        retry_after = {} if verdict is Verdict.FAILED else {"Retry-After": "60"}
        super().__init__(self.MESSAGES[verdict], headers=retry_after, reason=reason)

    @property
    def may_retry(self) -> bool:
        """Whether sending again cannot deliver a second copy: SES certainly did not take it."""
        return self.verdict in (Verdict.RETRY, Verdict.HALT)


class MailEngine:
    """What all mail shares on its way to SES: the client (single attempt), the token bucket
    (`chalicelib.delivery.rate_limit.RateLimiter`, one rate for the whole SES account) and the
    record of whose mail each message id was (`chalicelib.delivery.sent_mail`)."""

    def __init__(self, ses, limiter, from_address: str, sent_mail=None):
        self._ses = ses
        self.limiter = limiter
        self._from = from_address
        self._sent_mail = sent_mail

    def channel(self, configuration_set: str) -> "MailChannel":
        return MailChannel(self, SesSender(self._ses, self._from, configuration_set))

    def remember(self, mail, message_id: str) -> None:
        """Note whose mail this was, for mail tagged with an account: SES's events name only the id."""
        if self._sent_mail is None:
            return
        origin = MailOrigin.from_tags({name: [value] for name, value in mail.tags.items()})
        if origin is not None:
            self._sent_mail.remember([(message_id, origin)])


class MailChannel:
    """One configuration set's mail, through the engine."""

    def __init__(self, engine: MailEngine, sender: SesSender):
        self._engine = engine
        self._sender = sender

    @property
    def capacity(self) -> float:
        """How many mails may go out at once: the token bucket's burst."""
        return self._engine.limiter.capacity

    def take(self, tokens: int) -> None:
        """Wait for `tokens` sends' worth of the account's rate (blocks while the bucket is empty)."""
        self._engine.limiter.acquire(tokens)

    def send_one(self, mail, token_taken: bool = False) -> str:
        """One mail, its token taken (here, or with `take` beforehand for several mails at once:
        `token_taken=True`): SES's message id, or `MailNotSent` saying what SES answered."""
        if not token_taken:
            self.take(1)
        try:
            message_id = self._sender.send(mail)
        except Exception as error:
            verdict, reason = classify_ses_error(error)
            raise MailNotSent(verdict, reason) from None
        self._engine.remember(mail, message_id)
        return message_id

    # The campaign engine's primitives: it takes tokens per chunk and reads SES's errors itself,
    # per recipient, with the same classification.

    def send(self, mail) -> str:
        return self._sender.send(mail)

    def send_bulk(self, mails, entry_data=None):
        return self._sender.send_bulk(mails, entry_data)

    def bulk_key(self, mail) -> tuple:
        return self._sender.bulk_key(mail)
