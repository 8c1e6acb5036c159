"""The 30-day rule (P17): a new policy version may take effect (at 00:00 Amsterdam time on its date)
no sooner than 30 full days after its announcement, counted on the Amsterdam wall clock; a change to
or from summer time in between changes nothing. Refused dates name the earliest allowed one."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib import errors
from chalicelib.notices.policy import PolicyStatus
from chalicelib.notices.policy_service import PolicyService, earliest_effective_date
from tests.fakes.accounts import InMemoryAuditLog, an_account
from tests.fakes.notices import Clock, InMemoryPolicyVersions

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
STAFF = an_account("staff-1", "staff@example.nl", staff=True)


def amsterdam(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM).astimezone(timezone.utc)


def a_draft(announced_at: datetime):
    clock = Clock(announced_at)
    service = PolicyService(InMemoryPolicyVersions(), InMemoryAuditLog(), clock=clock)
    draft = service.draft(STAFF, "# Privacybeleid\n\nNieuw.", "# Privacy policy\n\nNew.")
    return service, draft


# Summer time ends on 25 October 2026 (03:00 CEST -> 02:00 CET) and starts on 28 March 2027.
CASES = {
    "autumn": (amsterdam(2026, 10, 10, 0, 0), "2026-11-09"),  # 30 wall-clock days = 30 days and 1 hour elapsed
    "spring": (amsterdam(2027, 3, 10, 0, 0), "2027-04-09"),  # 30 wall-clock days = 29 days and 23 hours elapsed
}


@pytest.mark.parametrize("season", CASES)
def test_effective_date_is_refused_with_the_earliest_date_when_29_days_23_hours_59_minutes_ahead(season):
    # GIVEN a draft, announced one minute after midnight Amsterdam time, across a change of summer time
    midnight, date_30_days_on = CASES[season]
    service, draft = a_draft(midnight.replace(minute=1))
    # WHEN staff choose the date whose start is 29 days, 23 hours and 59 minutes away on the Amsterdam clock
    with pytest.raises(errors.ValidationFailed) as refused:
        service.announce(STAFF, draft.number, date_30_days_on)
    # THEN it is refused beside the date field, naming the next day as the earliest allowed
    [problem] = refused.value.field_errors
    assert problem.field == "effective_on"
    next_day = earliest_effective_date(midnight.replace(minute=1)).isoformat()
    assert next_day > date_30_days_on
    assert next_day in errors.message_text(problem)
    assert service.get(draft.number).status is PolicyStatus.DRAFT


@pytest.mark.parametrize("season", CASES)
def test_effective_date_is_accepted_when_exactly_30_days_ahead(season):
    # GIVEN a draft announced at midnight Amsterdam time, 30 days before a date across a change of summer time
    midnight, date_30_days_on = CASES[season]
    service, draft = a_draft(midnight)
    # WHEN staff announce it for that date
    announced = service.announce(STAFF, draft.number, date_30_days_on)
    # THEN it is announced, pending until the start of that date in Amsterdam
    assert announced.status is PolicyStatus.ANNOUNCED
    assert announced.effective_at == amsterdam(*map(int, date_30_days_on.split("-")), 0, 0)
    assert service.pending() == announced


def test_earliest_date_is_the_day_30_days_on_when_announced_at_midnight_and_the_next_day_otherwise():
    assert earliest_effective_date(amsterdam(2026, 10, 10, 0, 0)).isoformat() == "2026-11-09"
    assert earliest_effective_date(amsterdam(2026, 10, 10, 0, 0, 1)).isoformat() == "2026-11-10"
    assert earliest_effective_date(amsterdam(2026, 10, 10, 23, 59)).isoformat() == "2026-11-10"


@pytest.mark.parametrize("bad_date", ["", "tomorrow", "2026-13-01", "09-11-2026"])
def test_unreadable_effective_date_is_refused_beside_the_field(bad_date):
    service, draft = a_draft(amsterdam(2026, 10, 10, 12, 0))
    with pytest.raises(errors.ValidationFailed) as refused:
        service.announce(STAFF, draft.number, bad_date)
    assert [problem.field for problem in refused.value.field_errors] == ["effective_on"]
