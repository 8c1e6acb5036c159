"""IP addresses shortened before anything stores them for analytics or proof of consent (P2, P9).

An IPv4 address keeps its first three bytes (/24: ``203.0.113.77`` -> ``203.0.113.0``), an IPv6
address its first 48 bits (/48, one site: ``2001:db8:1:2::7`` -> ``2001:db8:1::``). What is left
names a network, not a household or a device. An IPv4 address written as IPv6 (``::ffff:203.0.113.77``,
as dual-stack servers report it) is shortened as the IPv4 address it is, and a 6to4 address
(``2002::/16``), whose first 48 bits carry a whole IPv4 address, keeps only the /24 of that address.
Anything that is not an IP address gives None: nothing unreadable is ever stored.
"""

import ipaddress

IPV4_PREFIX = 24
IPV6_PREFIX = 48
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_SIX_TO_FOUR_PREFIX = 16 + IPV4_PREFIX  # the 2002: prefix, then the embedded IPv4 address's /24


def truncate_ip(address: str | None) -> str | None:
    """The network part of `address` (IPv4 /24, IPv6 /48), as an address with the rest zeroed."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        # without a zone (fe80::1%eth0, which names a device's interface); IPv4 written as IPv6 as itself
        ip = ip.ipv4_mapped or ipaddress.IPv6Address(ip.packed)
    if isinstance(ip, ipaddress.IPv4Address):
        prefix = IPV4_PREFIX
    elif ip in _SIX_TO_FOUR:
        prefix = _SIX_TO_FOUR_PREFIX
    else:
        prefix = IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
