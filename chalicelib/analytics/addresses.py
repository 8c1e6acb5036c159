"""Truncation of visitors' IP addresses before anything is stored (P2): an IPv4 address keeps its
first 24 bits (203.0.113.77 -> 203.0.113.0), an IPv6 address its first 48 (the site prefix an ISP
hands out: 2001:db8:85a3:8d3:... -> 2001:db8:85a3::). What remains names a neighbourhood of
addresses, not a visitor, and is what the beacon's rate limit counts by.

An IPv4 address written as IPv6 (::ffff:203.0.113.77, as dual-stack servers report it) is
truncated as the IPv4 address it is.
"""

import ipaddress

IPV4_PREFIX = 24
IPV6_PREFIX = 48


def truncate_ip(address: str | None) -> str | None:
    """The address with everything after its /24 (IPv4) or /48 (IPv6) prefix zeroed; None for
    anything that is not an IP address (never the input itself)."""
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address.strip().split("%", 1)[0])  # no IPv6 zone ("%eth0")
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    prefix = IPV4_PREFIX if parsed.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False).network_address)
