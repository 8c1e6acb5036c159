"""A flood from one network cannot grow what is stored without bound: a limit per truncated address."""

from chalicelib.analytics.service import Outcome
from tests.unit.analytics_helpers import make_service, view


def test_views_beyond_the_limit_per_truncated_address_are_refused_and_not_stored():
    # GIVEN a limit of 5 views per minute per /24
    service, store, _ = make_service(buffer_events=100, per_address_per_minute=5)
    # WHEN 8 views come from different addresses of one /24 within a minute
    outcomes = [view(service, ip=f"203.0.113.{n}") for n in range(8)]
    service.flush()
    # THEN 5 are kept and 3 refused
    assert outcomes.count(Outcome.STORED) == 5 and outcomes.count(Outcome.RATE_LIMITED) == 3
    assert len(store.views) == 5


def test_another_network_is_not_limited_by_the_first_and_the_next_minute_starts_afresh():
    service, store, clock = make_service(buffer_events=100, per_address_per_minute=2)
    assert [view(service, ip="203.0.113.1") for _ in range(3)][-1] is Outcome.RATE_LIMITED
    assert view(service, ip="198.51.100.1") is Outcome.STORED
    clock.now += 60
    assert view(service, ip="203.0.113.1") is Outcome.STORED
    service.flush()
    assert len(store.views) == 4


def test_all_addresses_together_are_bounded_per_container_and_minute():
    service, store, _ = make_service(buffer_events=100, per_address_per_minute=5, per_container_per_minute=10)
    outcomes = [view(service, ip=f"10.{n}.0.1") for n in range(15)]
    service.flush()
    assert outcomes.count(Outcome.STORED) == 10 and len(store.views) == 10


def test_ipv6_visitors_share_their_48_bit_prefix_limit():
    service, _, _ = make_service(buffer_events=100, per_address_per_minute=1)
    assert view(service, ip="2001:db8:85a3:1::1") is Outcome.STORED
    assert view(service, ip="2001:db8:85a3:ffff::2") is Outcome.RATE_LIMITED
