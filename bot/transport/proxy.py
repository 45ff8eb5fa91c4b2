"""Which proxy, if any, a request to Telegram goes through: the environment's, as curl reads it.

`HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http ones (lower-case spellings first), except
for hosts `NO_PROXY` names (`example.org` covers its subdomains too, `10.0.0.0/8` the addresses
in it, `*` everything).
A loopback host (a local Bot API server, the test emulator) is never proxied, as in Go's
net/http: a proxy elsewhere would reach its own loopback, not ours.

aiohttp's `trust_env=True` reads the same variables, but on every request, through two worker
threads and a read of `~/.netrc` each time; `AiohttpRequest` asks here once per folder instead.
"""

from __future__ import annotations

import ipaddress
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["environment_proxies", "proxy_for"]


def environment_proxies() -> dict[str, str]:
    """The proxy variables of this process's environment, keyed by scheme (`no` for NO_PROXY)."""
    return urllib.request.getproxies_environment()


def proxy_for(url: str, proxies: Mapping[str, str]) -> str | None:
    """The proxy `url` goes through under `proxies` (see `environment_proxies`), or None."""
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme)
    host = (parts.hostname or "").lower()
    if not proxy or _loopback(host):
        return None
    entries = (entry.strip().lower() for entry in proxies.get("no", "").split(","))
    if any(_exempts(entry, host, parts.port) for entry in entries if entry):
        return None
    return proxy


def _exempts(entry: str, host: str, port: int | None) -> bool:
    """Whether one NO_PROXY entry (a name, `name:port`, an address or a network) covers host."""
    if entry == "*":
        return True
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:  # a name, maybe with a port
        name, colon, wanted = entry.rpartition(":")
        if not (colon and wanted.isdigit()):
            name, wanted = entry, ""
        name = name.lstrip(".")
        same_port = not wanted or int(wanted) == port
        return same_port and (host == name or host.endswith("." + name))
    address = _address(host)
    return address is not None and address.version == network.version and address in network


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:  # a name, not an address
        return None


def _loopback(host: str) -> bool:
    address = _address(host)
    if address is None:
        return host == "localhost" or host.endswith(".localhost")
    return address.is_loopback
