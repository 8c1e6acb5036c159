"""SendingDomainService on the in-memory repository and SES identities, built through its constructor
with a clock of the test's own: a verified domain is never taken over, and a refusal by SES holds no
claim and answers 503. (The integration tests check the pages, the API and the lapse of a claim on moto.)"""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib.sending_domains.domains import DomainStatus
from chalicelib.sending_domains.service import DomainTaken, SendingDomainService
from chalicelib.sending_domains.ses_identities import SesIdentities, SesUnavailable

DOMAIN = "nieuws.bakkerij-jansen.nl"


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def service(sending_domains, ses, clock):
    return SendingDomainService(sending_domains, SesIdentities(ses), "mailexpert.nl", clock=clock)


def holder(account_id):
    return SimpleNamespace(account_id=account_id, active=True, email_verified=True)


def test_a_verified_domain_is_never_taken_over(service, ses, clock):
    owner, other = holder("owner"), holder("other")
    # GIVEN a domain whose records were published, checked by its account
    service.add(owner, DOMAIN)
    ses.verify(DOMAIN)
    assert service.check(owner, DOMAIN).status is DomainStatus.VERIFIED
    # WHEN another account adds it long after THEN it is refused
    clock.now += timedelta(days=30)
    with pytest.raises(DomainTaken):
        service.add(other, DOMAIN)
    # AND the same when the owner never pressed "check": SES is asked before a lapsed claim is taken over
    service.add(owner, "bakkerij-jansen.nl")
    ses.verify("bakkerij-jansen.nl")
    clock.now += timedelta(days=4)
    with pytest.raises(DomainTaken):
        service.add(other, "bakkerij-jansen.nl")
    assert service.check(owner, "bakkerij-jansen.nl").status is DomainStatus.VERIFIED


def test_a_refusal_by_ses_holds_no_claim_and_answers_503(service, ses):
    # WHEN SES refuses to create the identity (over its quota)
    ses.refuse_with = "LimitExceededException"
    with pytest.raises(SesUnavailable) as refused:
        service.add(holder("owner"), DOMAIN)
    # THEN the caller gets a 503 to retry, and the domain is free for anyone
    assert refused.value.status == 503
    ses.refuse_with = None
    assert service.add(holder("other"), DOMAIN).domain == DOMAIN
    # AND a check SES throttles answers 503 too, never a 500
    ses.refuse_with = "TooManyRequestsException"
    with pytest.raises(SesUnavailable):
        service.check(holder("other"), DOMAIN)
