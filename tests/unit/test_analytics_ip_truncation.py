"""Visitors' addresses are truncated before analytics stores them: IPv4 to /24, IPv6 to /48."""

import pytest

from chalicelib.analytics.addresses import truncate_ip


@pytest.mark.parametrize("address, truncated", [
    ("203.0.113.77", "203.0.113.0"),
    ("198.51.100.255", "198.51.100.0"),
    ("10.0.0.1", "10.0.0.0"),
])
def test_an_ipv4_address_keeps_its_first_24_bits(address, truncated):
    assert truncate_ip(address) == truncated


@pytest.mark.parametrize("address, truncated", [
    ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
    ("2001:0db8:abcd:ffff:ffff:ffff:ffff:ffff", "2001:db8:abcd::"),
    ("2a02:a46e:1:2::1", "2a02:a46e:1::"),
    ("fe80::1%eth0", "fe80::"),
])
def test_an_ipv6_address_keeps_its_first_48_bits(address, truncated):
    assert truncate_ip(address) == truncated


def test_an_ipv4_address_written_as_ipv6_is_truncated_as_ipv4():
    assert truncate_ip("::ffff:203.0.113.77") == "203.0.113.0"


@pytest.mark.parametrize("address", [None, "", "not an address", "203.0.113", "203.0.113.77; DROP"])
def test_anything_else_is_no_address_and_never_itself(address):
    assert truncate_ip(address) is None
