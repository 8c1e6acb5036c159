"""Who gets the notice of a new policy version: every account whose data we hold with a confirmed
address, active or deactivated, whatever its marketing choice; never an unconfirmed address, and not
those who registered after the announcement (they see the change when they sign up)."""

from datetime import timedelta

from chalicelib.accounts.account import AccountStatus
from tests.fakes.accounts import an_account
from tests.integration.broadcast_helpers import (NOW, announce_version_2, deactivated_holder, holders, notices_sent,
                                                 run_jobs_queue)


def test_deactivated_and_opted_out_holders_get_the_notice_but_unconfirmed_addresses_do_not(app_module, aws_resources,
                                                                                         outbox):
    # GIVEN an active holder, a deactivated one, one who opted out of product news, and one never confirmed
    active = holders(1, prefix="active-")[0]
    gone = deactivated_holder()
    opted_out = holders(1, prefix="optout-", product_news=False, product_news_consent={"opted_in": False})[0]
    unconfirmed = holders(1, prefix="unconfirmed-", email_verified_at=None)[0]
    assert gone.status is AccountStatus.DEACTIVATED
    # WHEN version 2 is announced and its notice job runs
    announce_version_2()
    run_jobs_queue(app_module, aws_resources)
    # THEN the active, deactivated and opted-out holders have it once; the unconfirmed address nothing
    sent = notices_sent(outbox)
    assert sent == {active.email: 1, gone.email: 1, opted_out.email: 1}
    assert unconfirmed.email not in sent


def test_holder_registered_after_the_announcement_gets_no_mail(app_module, aws_resources, outbox):
    from chalicelib.composition import services

    early = holders(1, prefix="early-")[0]
    clock = announce_version_2()
    later = an_account("late-1", "late@example.nl", created_at=NOW + timedelta(minutes=1),
                       email_verified_at=NOW + timedelta(minutes=2))
    services().accounts.create(later)
    clock.advance(minutes=3)
    run_jobs_queue(app_module, aws_resources)
    assert notices_sent(outbox) == {early.email: 1}


def test_withdrawn_version_sends_no_more_notices(app_module, aws_resources, outbox):
    from chalicelib.composition import services
    from tests.integration.broadcast_helpers import STAFF

    holders(5)
    announce_version_2()
    services().policy.withdraw(STAFF, 2)
    run_jobs_queue(app_module, aws_resources)
    assert notices_sent(outbox) == {}
    assert services().broadcasts.progress("policy", "2").cancelled
    assert notices_sent(outbox, template="policy_withdrawn") == {}  # nobody had heard of it


def test_withdrawal_is_told_once_to_exactly_those_the_announcement_reached(app_module, aws_resources, outbox):
    from chalicelib.composition import services
    from tests.integration.broadcast_helpers import STAFF, an_engine

    # GIVEN three holders who got the notice of version 2, and one whom it had not reached yet
    reached = holders(3, prefix="reached-")
    announce_version_2()
    sqs = aws_resources.client("sqs")
    sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName="mailexpert-jobs")["QueueUrl"])
    an_engine(page_size=3, budget_s=0).run("policy", "2")  # one page of three, then it hands over
    not_yet = holders(1, prefix="zz-not-yet-")[0]
    # WHEN staff withdraw version 2, and the jobs queue runs (the notice's continuation, the withdrawal)
    services().policy.withdraw(STAFF, 2)
    run_jobs_queue(app_module, aws_resources)
    # THEN the three get one withdrawal mail each; the fourth gets neither mail
    withdrawals = notices_sent(outbox, template="policy_withdrawn")
    assert withdrawals == {account.email: 1 for account in reached}
    assert notices_sent(outbox) == {account.email: 1 for account in reached}
    assert not_yet.email not in withdrawals
    mail = next(m for m in outbox.mails() if m["tags"].get("template") == "policy_withdrawn")
    assert "/privacy" in mail["text"] and "#changes" not in mail["text"]
