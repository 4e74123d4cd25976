"""The client's address behind the Département's reverse proxies (pure: no Flask).

Behind a reverse proxy every request comes from the proxy's address, so throttling by
address would put all staff in one bucket. ``X-Forwarded-For`` names the client, but
anybody can send that header: it is believed only when the direct peer is one of the
configured proxies (``KIOSK_HUB_TRUSTED_PROXIES``, addresses or CIDR networks), and then
only as far as the hops that trusted proxies appended. werkzeug's ProxyFix trusts a
number of hops, whatever their address; this trusts addresses.
"""
from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

Networks = tuple[IPv4Network | IPv6Network, ...]


def trusted_networks(value) -> Networks:
    """The networks of a comma-separated text (or a list); ValueError on a bad entry."""
    if isinstance(value, str):
        value = value.split(",")
    networks = []
    for entry in value or ():
        entry = str(entry).strip()
        if entry:
            try:
                networks.append(ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"KIOSK_HUB_TRUSTED_PROXIES: {entry!r} is not an IP "
                                 "address or network") from None
    return tuple(networks)


def _trusted(address: str, networks: Networks) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, networks: Networks) -> str:
    """The address to hold responsible for a request.

    ``peer`` when it is not a trusted proxy (``X-Forwarded-For`` is then the client's
    own claim, ignored). Otherwise the ``X-Forwarded-For`` hops are read from the right
    (the nearest proxy's entry) and the first one that is not itself a trusted proxy is
    the client: entries to its left were written by the client and prove nothing. A hop
    that is not an address stops the walk at the last trusted hop before it.
    """
    if not forwarded_for or not _trusted(peer, networks):
        return peer
    current = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ip_address(hop)
        except ValueError:
            return current
        if not _trusted(hop, networks):
            return hop
        current = hop
    return current
