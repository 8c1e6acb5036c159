"""A policy version's life: version 1 in force from the start; a draft is edited, announced, and takes
effect on its date by the clock alone; an announced version is never edited; a pending one can be
withdrawn; every staff action is audited, and announcing and withdrawing are told through hooks."""

from datetime import datetime, timezone

import pytest

from chalicelib import errors
from chalicelib.accounts.audit import AuditEvent
from chalicelib.notices.policy import PolicyStatus, first_version
from chalicelib.notices.policy_service import PolicyService
from tests.fakes.accounts import InMemoryAuditLog, an_account
from tests.fakes.notices import Clock, InMemoryPolicyVersions

STAFF = an_account("staff-1", "staff@example.nl", staff=True)
ANNOUNCED = datetime(2026, 12, 7, 11, 0, tzinfo=timezone.utc)
NL, EN = "# Privacybeleid\n\nWij bewaren minder.\n", "# Privacy policy\n\nWe keep less.\n"


@pytest.fixture
def clock():
    return Clock(ANNOUNCED)


@pytest.fixture
def audit():
    return InMemoryAuditLog()


@pytest.fixture
def policy(clock, audit):
    return PolicyService(InMemoryPolicyVersions(), audit, clock=clock)


def test_first_version_is_in_force_from_the_start_when_nothing_is_stored(policy):
    # GIVEN an empty table WHEN the policy is read THEN version 1, the policy MailExpert started with, is in force
    in_force = policy.in_force()
    assert in_force.number == 1 and in_force == first_version()
    assert "MailExpert doet er alles aan om uw privacy te waarborgen" in in_force.text_nl
    assert "MailExpert does everything it can to safeguard your privacy" in in_force.text_en
    assert policy.pending() is None
    assert [v.number for v in policy.history()] == [1]


def test_announced_version_takes_effect_on_its_date_by_the_clock_alone(policy, clock):
    # GIVEN version 2, announced for 7 January 2027
    draft = policy.draft(STAFF, NL, EN)
    policy.announce(STAFF, draft.number, "2027-01-07")
    # WHEN the clock reaches one second before, then the start of that day in Amsterdam (23:00 UTC the day before)
    clock.now = datetime(2027, 1, 6, 22, 59, 59, tzinfo=timezone.utc)
    assert policy.in_force().number == 1 and policy.pending().number == 2
    clock.now = datetime(2027, 1, 6, 23, 0, tzinfo=timezone.utc)
    # THEN it is in force, nothing is pending, and the history lists both
    assert policy.in_force().number == 2 and policy.pending() is None
    assert [v.number for v in policy.history()] == [2, 1]


def test_draft_is_edited_but_an_announced_version_never_is(policy):
    draft = policy.draft(STAFF, NL, EN)
    edited = policy.edit(STAFF, draft.number, NL + "\nMeer.\n", EN + "\nMore.\n", revision=draft.revision)
    assert "Meer." in policy.get(draft.number).text_nl and edited.revision == draft.revision + 1
    policy.announce(STAFF, draft.number, "2027-01-07")
    # WHEN staff try to change the announced version
    with pytest.raises(errors.Conflict):
        policy.edit(STAFF, draft.number, "# Anders\n", "# Other\n")
    # THEN it is refused, and the announced text stays
    assert "Meer." in policy.get(draft.number).text_nl


def test_edit_from_a_stale_revision_is_refused_and_changes_nothing(policy):
    draft = policy.draft(STAFF, NL, EN)
    policy.edit(STAFF, draft.number, NL + "\nEerste.\n", EN, revision=draft.revision)
    with pytest.raises(errors.Conflict):
        policy.edit(STAFF, draft.number, NL + "\nTweede.\n", EN, revision=draft.revision)
    assert "Eerste." in policy.get(draft.number).text_nl


@pytest.mark.parametrize("text_nl, text_en, fields", [("", EN, ["text_nl"]), (NL, "  \n ", ["text_en"]),
                                                      ("", "", ["text_nl", "text_en"])])
def test_draft_without_text_is_refused_beside_the_empty_fields(policy, text_nl, text_en, fields):
    with pytest.raises(errors.ValidationFailed) as refused:
        policy.draft(STAFF, text_nl, text_en)
    assert [problem.field for problem in refused.value.field_errors] == fields
    assert [v.number for v in policy.versions()] == [1]


def test_pending_version_is_withdrawn_and_the_policy_in_force_stays(policy, clock):
    heard = []
    policy.withdrawn.subscribe(heard.append)
    draft = policy.draft(STAFF, NL, EN)
    policy.announce(STAFF, draft.number, "2027-01-07")
    withdrawn = policy.withdraw(STAFF, draft.number)
    assert withdrawn.status is PolicyStatus.WITHDRAWN and heard == [withdrawn]
    clock.now = datetime(2027, 2, 1, tzinfo=timezone.utc)
    assert policy.in_force().number == 1 and policy.pending() is None
    assert [(v.number, v.status) for v in policy.history()] == [(2, PolicyStatus.WITHDRAWN), (1, PolicyStatus.ANNOUNCED)]


def test_version_in_force_cannot_be_withdrawn(policy, clock):
    draft = policy.draft(STAFF, NL, EN)
    policy.announce(STAFF, draft.number, "2027-01-07")
    clock.now = datetime(2027, 1, 7, 12, 0, tzinfo=timezone.utc)
    with pytest.raises(errors.Conflict):
        policy.withdraw(STAFF, draft.number)
    with pytest.raises(errors.Conflict):
        policy.withdraw(STAFF, 1)
    assert policy.in_force().number == 2


def test_second_version_cannot_be_announced_while_one_is_pending(policy):
    first = policy.draft(STAFF, NL, EN)
    policy.announce(STAFF, first.number, "2027-01-07")
    second = policy.draft(STAFF, NL + "\nNog meer.\n", EN + "\nEven more.\n")
    with pytest.raises(errors.Conflict):
        policy.announce(STAFF, second.number, "2027-02-06")
    assert policy.get(second.number).status is PolicyStatus.DRAFT


def test_every_staff_action_is_audited_and_announcing_is_told_through_the_hook(policy, audit):
    heard = []
    policy.announced.subscribe(heard.append)
    draft = policy.draft(STAFF, NL, EN, ip="192.0.2.7")
    policy.edit(STAFF, draft.number, NL + "\nMeer.\n", EN, ip="192.0.2.7")
    announced = policy.announce(STAFF, draft.number, "2027-01-07", ip="192.0.2.7")
    policy.withdraw(STAFF, draft.number, ip="192.0.2.7")
    assert heard == [announced]
    assert [(entry[0], entry[1], entry[3]["version"]) for entry in audit.entries] == [
        ("staff-1", AuditEvent.POLICY_DRAFTED, 2), ("staff-1", AuditEvent.POLICY_EDITED, 2),
        ("staff-1", AuditEvent.POLICY_ANNOUNCED, 2), ("staff-1", AuditEvent.POLICY_WITHDRAWN, 2)]
    assert audit.entries[2][3]["effective_on"] == "2027-01-07"


def test_unknown_version_is_not_found(policy):
    with pytest.raises(errors.NotFound):
        policy.get(7)


def test_versions_are_read_again_once_the_cache_has_aged_and_own_changes_show_at_once(clock, audit):
    # GIVEN two services on one table (two Lambda containers), the first caching what it read
    versions, ticks = InMemoryPolicyVersions(), Clock(0.0)  # the monotonic clock, in seconds
    first = PolicyService(versions, audit, clock=clock, cache_s=30, monotonic=ticks)
    other = PolicyService(versions, audit, clock=clock, cache_s=30, monotonic=ticks)
    assert first.pending() is None
    # WHEN the other container announces version 2
    draft = other.draft(STAFF, NL, EN)
    other.announce(STAFF, draft.number, "2027-01-07")
    # THEN the other one shows it at once; the first within the cache's 30 seconds
    assert other.pending().number == 2
    assert first.pending() is None
    ticks.now += 30
    assert first.pending().number == 2
