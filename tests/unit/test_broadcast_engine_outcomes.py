"""What the broadcast engine does with each answer of SES, with fakes: accepted is recorded sent;
refused for good is recorded failed and never retried; throttled or halted is released for a later
run, which sends it; a mail that cannot be rendered fails alone; the audience decides who is asked."""

from datetime import datetime, timezone

import pytest

from chalicelib.accounts.account import AccountStatus
from chalicelib.delivery.engine import MailNotSent
from chalicelib.delivery.mail import OutgoingMail
from chalicelib.delivery.ses_errors import Verdict
from chalicelib.delivery.broadcast import Audience, BroadcastEngine, BroadcastState
from tests.fakes.accounts import InMemoryAccounts, an_account
from tests.fakes.notices import InMemoryBroadcastLedger

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
CONFIRMED = datetime(2026, 3, 2, tzinfo=timezone.utc)


class Channel:
    """SES's answers, by address: a message id, or a verdict to refuse with."""

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.accepted: list[str] = []
        self.tokens = 0

    def take(self, tokens: int) -> None:
        self.tokens += tokens

    def send_one(self, mail, token_taken: bool = False) -> str:
        assert token_taken or self.tokens, "every mail takes a token from the bucket"
        verdict = self.answers.pop(mail.to[0], None)
        if verdict is not None:
            raise MailNotSent(verdict, "simulated")
        self.accepted.append(mail.to[0])
        return f"ses-{len(self.accepted)}"


class Jobs:
    def __init__(self):
        self.queued = []

    def enqueue(self, job):
        self.queued.append(job)
        return str(len(self.queued))


class Message:
    def __init__(self, broken=()):
        self.broken = set(broken)

    def includes(self, account) -> bool:
        return True

    def render(self, account):
        if account.account_id in self.broken:
            raise KeyError("a field the template needs")
        return OutgoingMail(to=(account.email,), subject="s", text="t", html="<p>t</p>")


class Kind:
    def __init__(self, audience=Audience.HELD_CONFIRMED, message=None):
        self.audience = audience
        self._message = message or Message()

    def message(self, message_id):
        return self._message


def setup(count=4, answers=None, kind=None, account_changes=None):
    accounts = InMemoryAccounts()
    for number in range(count):
        fields = {"email_verified_at": CONFIRMED, **(account_changes or {}).get(number, {})}
        accounts.create(an_account(f"a{number}", f"a{number}@example.nl", **fields))
    ledger, channel, jobs = InMemoryBroadcastLedger(), Channel(answers), Jobs()
    engine = BroadcastEngine(accounts, ledger, channel, jobs, {"test": kind or Kind()}, clock=lambda: NOW,
                             page_size=2, concurrency=1)
    return engine, ledger, channel, jobs


def test_refused_mail_is_recorded_failed_and_never_sent_again():
    engine, ledger, channel, _ = setup(answers={"a1@example.nl": Verdict.FAILED})
    engine.run("test", "m1")
    engine.run("test", "m1")
    assert ledger.state_of("test", "m1", "a1") is BroadcastState.FAILED
    assert sorted(channel.accepted) == ["a0@example.nl", "a2@example.nl", "a3@example.nl"]


@pytest.mark.parametrize("verdict", [Verdict.RETRY, Verdict.HALT])
def test_mail_ses_did_not_take_is_released_and_sent_by_the_next_run(verdict):
    engine, ledger, channel, _ = setup(answers={"a1@example.nl": verdict})
    first = engine.run("test", "m1")
    assert first.halted and not first.finished and ledger.state_of("test", "m1", "a1") is None
    assert not ledger.progress("test", "m1").done
    second = engine.run("test", "m1", ledger.progress("test", "m1").cursor)
    assert second.finished and channel.accepted.count("a1@example.nl") == 1
    assert sorted(channel.accepted) == [f"a{n}@example.nl" for n in range(4)]


def test_unknown_outcome_is_recorded_and_never_sent_again():
    engine, ledger, channel, _ = setup(answers={"a2@example.nl": Verdict.UNKNOWN})
    engine.run("test", "m1")
    engine.run("test", "m1")
    assert ledger.state_of("test", "m1", "a2") is BroadcastState.UNKNOWN
    assert "a2@example.nl" not in channel.accepted


def test_mail_that_cannot_be_rendered_fails_alone():
    engine, ledger, channel, _ = setup(kind=Kind(message=Message(broken={"a0"})))
    report = engine.run("test", "m1")
    assert report.failed == 1 and report.sent == 3 and ledger.state_of("test", "m1", "a0") is BroadcastState.FAILED


@pytest.mark.parametrize("audience, reached", [
    (Audience.HELD_CONFIRMED, ["a0", "a1", "a2"]),
    (Audience.ACTIVE, ["a0", "a2"]),
    (Audience.PRODUCT_NEWS, ["a2"]),
])
def test_audience_decides_who_is_asked(audience, reached):
    # GIVEN an active holder, a deactivated one, an active one opted in to product news, an unconfirmed one
    engine, ledger, channel, _ = setup(kind=Kind(audience), account_changes={
        1: {"status": AccountStatus.DEACTIVATED}, 2: {"product_news": True}, 3: {"email_verified_at": None}})
    engine.run("test", "m1")
    assert sorted(address.split("@")[0] for address in channel.accepted) == reached


def test_withdrawn_message_stops_the_broadcast_and_marks_it_cancelled():
    class Gone(Kind):
        def message(self, message_id):
            return None

    engine, ledger, channel, jobs = setup(kind=Gone())
    report = engine.run("test", "m1")
    assert report.cancelled and channel.accepted == [] and ledger.progress("test", "m1").cancelled
    assert engine.resume_unfinished("test", ["m1"]) == [] and jobs.queued == []


def test_tokens_are_taken_for_the_claimed_accounts_only_a_chunk_at_a_time():
    # GIVEN 4 holders of whom one already has the message (an earlier run)
    engine, ledger, channel, _ = setup()
    ledger.claim("test", "m1", "a2", "earlier-run", NOW)
    # WHEN the broadcast runs
    engine.run("test", "m1")
    # THEN the bucket gave exactly one token per mail sent, none for the account already done
    assert channel.tokens == 3 == len(channel.accepted)
