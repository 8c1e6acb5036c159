"""A first campaign counts as a conversion once per account, and only for an account that allowed
marketing cookies (its page views were linked, P9, P14)."""

from tests.unit.analytics_helpers import make_service, view


def test_the_first_campaign_of_an_account_with_linked_views_counts_once():
    service, store, _ = make_service(buffer_events=1)
    # GIVEN a signed-in visitor who allowed marketing cookies
    view(service, analytics=True, marketing=True, account_id="a1")
    # WHEN two of its campaigns start
    first, second = service.record_campaign_started("a1"), service.record_campaign_started("a1")
    # THEN the first counts, the second does not
    assert (first, second) == (True, False)
    assert service.dashboard().first_campaigns == 1


def test_an_account_that_allowed_analytics_only_is_not_counted():
    service, store, _ = make_service(buffer_events=1)
    view(service, analytics=True, marketing=False, account_id="a2")
    assert service.record_campaign_started("a2") is False
    assert service.dashboard().first_campaigns == 0
    assert store.first_campaigns_counted == set()


def test_a_failing_store_never_stops_the_campaign():
    service, store, _ = make_service(buffer_events=1)

    def broken(_account_id):
        raise ConnectionError("DynamoDB unreachable")

    store.has_linked_views = broken
    assert service.record_campaign_started("a3") is False
