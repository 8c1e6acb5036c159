"""Page views are kept only with analytics consent, and linked to the account only with marketing consent (P9, P14)."""

from chalicelib.analytics.service import Outcome
from tests.unit.analytics_helpers import make_service, view


def test_without_analytics_consent_nothing_is_kept_and_no_account_is_looked_up():
    # GIVEN a visitor who chose essential cookies only (or nothing yet), and is signed in
    service, store, _ = make_service(buffer_events=1)
    lookups = []
    # WHEN the beacon's report arrives anyway
    outcome = view(service, analytics=False, marketing=False, account_id="a1", lookups=lookups)
    service.flush()
    # THEN nothing is stored, nothing waits in the buffer, and the account was never looked up
    assert outcome is Outcome.NO_CONSENT
    assert store.views == [] and store.writes == 0 and service.buffered == 0
    assert lookups == []


def test_with_analytics_only_a_signed_in_visitors_view_is_kept_without_the_account():
    service, store, _ = make_service(buffer_events=1)
    lookups = []
    outcome = view(service, analytics=True, marketing=False, account_id="a1", lookups=lookups)
    assert outcome is Outcome.STORED
    [kept] = store.views
    assert kept.account_id is None
    assert lookups == []  # not even looked up


def test_with_marketing_consent_a_signed_in_visitors_view_is_linked_to_the_account():
    service, store, _ = make_service(buffer_events=1)
    view(service, analytics=True, marketing=True, account_id="a1")
    [kept] = store.views
    assert kept.account_id == "a1"
    assert store.counters(kept.day)["linked"] == 1


def test_with_marketing_consent_an_anonymous_visitors_view_is_linked_to_nobody():
    service, store, _ = make_service(buffer_events=1)
    view(service, analytics=True, marketing=True, account_id=None)
    [kept] = store.views
    assert kept.account_id is None
    assert "linked" not in store.counters(kept.day)
