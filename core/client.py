"""Which address a request came from, for rate limits and sign-in lockouts.

With no proxy in front, that is REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT proxies that each add the
address they were reached from to X-Forwarded-For, the client is the Nth address from the right: what
stands further left was sent by the client itself and could say anything. A header too short to hold
that many, or an entry that is not an IP address, falls back to REMOTE_ADDR.
"""

import ipaddress

from django.conf import settings


def rate_limit_network(address):
    """What a rate limit counts: an IPv4 address, or the /64 network of an IPv6 one (one home or phone
    connection gets a whole /64 and can pick any address inside it)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:  # ::ffff:203.0.113.9 is the IPv4 client 203.0.113.9
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def client_address(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
