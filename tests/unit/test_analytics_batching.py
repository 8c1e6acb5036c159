"""Beacon writes are batched per container: one write per 25 views, or when the oldest waited long enough."""

from tests.unit.analytics_helpers import make_service, view


def test_views_wait_until_a_batch_is_full_then_go_in_one_write():
    service, store, _ = make_service(buffer_events=25, buffer_age_s=10)
    for n in range(24):
        view(service, ip=f"10.0.{n}.1")
    assert store.writes == 0 and service.buffered == 24
    view(service, ip="10.0.99.1")
    assert store.writes == 1 and len(store.views) == 25 and service.buffered == 0


def test_a_batch_goes_when_its_oldest_view_has_waited_long_enough():
    service, store, clock = make_service(buffer_events=25, buffer_age_s=10)
    view(service)
    clock.now += 11
    view(service, ip="198.51.100.7")
    assert store.writes == 1 and len(store.views) == 2


def test_a_batch_adds_each_counter_once_with_its_total():
    service, store, _ = make_service(buffer_events=3)
    for n in range(3):
        view(service, ip=f"10.0.{n}.1")
    assert store.writes == 1
    assert store.counters("2026-12-07")["views"] == 3


def test_the_first_batch_of_a_day_in_a_container_settles_the_day_before_once():
    service, store, clock = make_service(buffer_events=1)
    view(service, ip="10.0.0.1")
    view(service, ip="10.0.0.2")
    assert store.settled == ["2026-12-06"]
    clock.now += 24 * 3600
    view(service, ip="10.0.0.3")
    assert store.settled == ["2026-12-06", "2026-12-07"]
