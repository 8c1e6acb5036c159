"""The notices repositories' contracts, as PolicyService and BroadcastEngine use them: a version is
created once per number, a draft's edit applies only to the revision it was made from, a version leaves
draft once; a broadcast claim is created once, only its owner records or releases it. The same suites
run against the in-memory fakes and the DynamoDB implementations on moto."""

from datetime import date, datetime, timezone

import boto3
import pytest

from chalicelib.delivery.broadcast import BroadcastState, DynamoBroadcastLedger
from chalicelib.notices.policy import (DynamoPolicyVersions, PolicyStatus, PolicyVersion, VersionNotEditable,
                                       VersionTaken)
from tests.fakes.notices import InMemoryBroadcastLedger, InMemoryPolicyVersions
from tests.integration.dynamo_tables import REGION, table_fixture

notices_table = table_fixture("NoticesTable")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


def a_draft(number=2, **changes) -> PolicyVersion:
    fields = {"number": number, "text_nl": "# Beleid\n", "text_en": "# Policy\n", "status": PolicyStatus.DRAFT,
              "created_at": NOW, **changes}
    return PolicyVersion(**fields)


class PolicyVersionsContract:
    def test_created_version_reads_back_equal_and_in_number_order(self, versions):
        versions.create(a_draft(3))
        versions.create(a_draft(2))
        assert versions.get(2) == a_draft(2)
        assert [v.number for v in versions.all()] == [2, 3]
        assert versions.get(9) is None

    def test_second_version_with_the_same_number_is_refused(self, versions):
        versions.create(a_draft())
        with pytest.raises(VersionTaken):
            versions.create(a_draft(text_nl="# Anders\n"))
        assert versions.get(2).text_nl == "# Beleid\n"

    def test_draft_edit_from_a_stale_revision_or_after_the_announcement_is_refused(self, versions):
        versions.create(a_draft())
        saved = versions.save_draft(a_draft(text_nl="# Eerste\n"))
        assert saved.revision == 2 and versions.get(2).text_nl == "# Eerste\n"
        with pytest.raises(VersionNotEditable):
            versions.save_draft(a_draft(text_nl="# Tweede\n"))  # revision 1: stale
        versions.announce(2, 2, NOW, date(2027, 1, 7))
        with pytest.raises(VersionNotEditable):
            versions.save_draft(a_draft(text_nl="# Derde\n", revision=2))
        stored = versions.get(2)
        assert (stored.status, stored.text_nl, stored.announced_at, stored.effective_on) == \
            (PolicyStatus.ANNOUNCED, "# Eerste\n", NOW, date(2027, 1, 7))

    def test_version_leaves_draft_once_and_only_an_announced_one_is_withdrawn(self, versions):
        versions.create(a_draft())
        with pytest.raises(VersionNotEditable):
            versions.withdraw(2, NOW)
        versions.announce(2, 1, NOW, date(2027, 1, 7))
        with pytest.raises(VersionNotEditable):
            versions.announce(2, 1, NOW, date(2027, 2, 7))
        versions.withdraw(2, NOW)
        assert versions.get(2).status is PolicyStatus.WITHDRAWN and versions.get(2).withdrawn_at == NOW
        with pytest.raises(VersionNotEditable):
            versions.withdraw(2, NOW)

    def test_dismissals_are_per_account_and_version_and_forgotten_on_erasure(self, versions):
        versions.dismiss("acc-1", 2, NOW)
        versions.dismiss("acc-1", 3, NOW)
        versions.dismiss("acc-2", 2, NOW)
        assert versions.dismissed("acc-1", 2) and not versions.dismissed("acc-2", 3)
        assert versions.dismissed_versions("acc-1") == [2, 3]
        versions.forget("acc-1")
        assert versions.dismissed_versions("acc-1") == [] and versions.dismissed("acc-2", 2)


class BroadcastLedgerContract:
    def test_claim_is_created_once_and_only_its_owner_records_it(self, ledger):
        assert ledger.claim("policy", "2", "acc-1", "run-a", NOW)
        assert not ledger.claim("policy", "2", "acc-1", "run-b", NOW)
        assert ledger.claim("policy", "3", "acc-1", "run-b", NOW)  # another message
        assert ledger.state_of("policy", "2", "acc-1") is BroadcastState.SENDING
        ledger.record_all("policy", "2", "run-a", [("acc-1", BroadcastState.SENT, "ses-1")])
        assert ledger.state_of("policy", "2", "acc-1") is BroadcastState.SENT
        assert ledger.claimed("policy", "2", ["acc-1", "acc-2"]) == {"acc-1"}

    def test_release_by_the_owner_lets_a_later_run_claim_and_nobody_else_can_release(self, ledger):
        ledger.claim("policy", "2", "acc-1", "run-a", NOW)
        with pytest.raises(Exception):
            ledger.release("policy", "2", "acc-1", "run-b")
        ledger.release("policy", "2", "acc-1", "run-a")
        assert ledger.state_of("policy", "2", "acc-1") is None
        assert ledger.claim("policy", "2", "acc-1", "run-c", NOW)

    def test_progress_keeps_the_cursor_and_adds_the_counts(self, ledger):
        assert ledger.progress("policy", "2") is None
        ledger.save_progress("policy", "2", "acc-9", False, NOW, {"sent": 3, "failed": 1})
        ledger.save_progress("policy", "2", None, True, NOW, {"sent": 2})
        progress = ledger.progress("policy", "2")
        assert (progress.cursor, progress.done, progress.sent, progress.failed, progress.updated_at) == \
            (None, True, 5, 1, NOW)


class TestInMemoryPolicyVersions(PolicyVersionsContract):
    @pytest.fixture
    def versions(self):
        return InMemoryPolicyVersions()


class TestDynamoPolicyVersions(PolicyVersionsContract):
    @pytest.fixture
    def versions(self, notices_table):
        return DynamoPolicyVersions(boto3.client("dynamodb", region_name=REGION), notices_table)


class TestInMemoryBroadcastLedger(BroadcastLedgerContract):
    @pytest.fixture
    def ledger(self):
        return InMemoryBroadcastLedger()


class TestDynamoBroadcastLedger(BroadcastLedgerContract):
    @pytest.fixture
    def ledger(self, notices_table):
        return DynamoBroadcastLedger(boto3.client("dynamodb", region_name=REGION), notices_table)
