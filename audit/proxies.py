"""Which peers may tell us the client's address (issue 14: with gunicorn reached directly, a
new X-Forwarded-For per attempt escaped the sign-in lockout).

X-Forwarded-For is believed only when the connection comes from one of the addresses in
settings.AUDIT_TRUSTED_PROXIES (our reverse proxies; addresses or networks). Anyone else who
sends the header is taken at their own address (REMOTE_ADDR).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def is_trusted_proxy(address: str | None) -> bool:
    """Whether `address` (the peer of the connection) is one of our reverse proxies."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    spec = tuple(getattr(settings, "AUDIT_TRUSTED_PROXIES", ()) or ())
    return any(ip in net for net in _networks(spec))
