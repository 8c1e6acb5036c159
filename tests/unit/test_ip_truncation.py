"""IP addresses are shortened before they are stored (P2, P9): IPv4 to its /24, IPv6 to its /48."""

import pytest

from chalicelib.ip_truncation import truncate_ip


@pytest.mark.parametrize("address, kept", [
    ("203.0.113.77", "203.0.113.0"),
    ("203.0.113.0", "203.0.113.0"),
    ("10.1.2.255", "10.1.2.0"),
    (" 198.51.100.9 ", "198.51.100.0"),
])
def test_ipv4_keeps_its_first_three_bytes_when_truncated(address, kept):
    assert truncate_ip(address) == kept


@pytest.mark.parametrize("address, kept", [
    ("2001:db8:abcd:12:34::5", "2001:db8:abcd::"),
    ("2001:0db8:abcd:ffff:ffff:ffff:ffff:ffff", "2001:db8:abcd::"),
    ("2a02:a45f:1234:5678::1", "2a02:a45f:1234::"),
    ("fe80::1%eth0", "fe80::"),  # the zone names a device's interface: dropped too
    ("::1", "::"),
])
def test_ipv6_keeps_its_first_48_bits_when_truncated(address, kept):
    assert truncate_ip(address) == kept


@pytest.mark.parametrize("address", ["::ffff:203.0.113.77", "::FFFF:203.0.113.77", "::ffff:cb00:714d"])
def test_ipv4_mapped_ipv6_is_truncated_as_the_ipv4_address_it_is(address):
    # GIVEN an IPv4 address as a dual-stack server reports it; a /48 would keep all of it
    # THEN it is shortened to its IPv4 /24
    assert truncate_ip(address) == "203.0.113.0"


def test_6to4_address_keeps_only_the_24_bits_of_its_embedded_ipv4_address():
    # GIVEN 2002:cb00:714d::/48, which carries 203.0.113.77 whole in its first 48 bits
    # THEN only 2002: and the IPv4 address's /24 are kept
    assert truncate_ip("2002:cb00:714d:1::9") == "2002:cb00:7100::"


@pytest.mark.parametrize("address", [None, "", "unknown", "203.0.113", "203.0.113.256", "2001:db8::g", "1.2.3.4/24",
                                     "203.0.113.77, 10.0.0.1"])
def test_nothing_is_kept_when_address_is_not_an_ip_address(address):
    assert truncate_ip(address) is None
