"""Where a webhook may be sent.

A subscription's URL is checked when it is made and again before every delivery: a host whose
DNS answer changed to an internal address since (DNS rebinding) is refused then, and the
request goes to the very address that was checked (``send`` pins it), not to a second lookup.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from themepark_tracker.errors import UserError

MAX_URL_LENGTH = 2048
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetError(UserError):
    """A URL a webhook may not be sent to; the message says why."""


@dataclass(frozen=True)
class Target:
    url: SplitResult
    host: str
    port: int
    addresses: tuple[IpAddress, ...]


def parse_url(url: str) -> SplitResult:
    """The URL, or TargetError naming what is wrong with it."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise TargetError(f"not a URL: {url!r} ({exc})") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise TargetError(f"the URL must be http:// or https:// with a host, got {url!r}")
    if parts.username is not None or parts.password is not None:
        raise TargetError("the URL must not carry a user name or password")
    if any(ch.isspace() for ch in url):
        raise TargetError("the URL must not contain spaces")
    return parts


def is_public(address: IpAddress) -> bool:
    """True for an address on the public internet (not loopback, private, link-local,
    shared (carrier-grade NAT), multicast, reserved or unspecified; an IPv4-mapped IPv6
    address is judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_loopback or address.is_private or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified)


def resolve(host: str, port: int) -> tuple[IpAddress, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetError(f"cannot resolve {host!r}: {exc}") from None
    found: list[IpAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise TargetError(f"{host!r} has no address")
    return tuple(found)


def check_target(url: str, allow_private: bool) -> Target:
    """Parse and resolve ``url``; refuse it when any address it resolves to is not public
    (unless ``allow_private``): one internal address among public ones is enough to refuse."""
    parts = parse_url(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not allow_private:
        internal = [str(a) for a in addresses if not is_public(a)]
        if internal:
            raise TargetError(
                f"{host!r} resolves to {', '.join(internal)}: a loopback, private or "
                "link-local address (set WEBHOOK_ALLOW_PRIVATE=true to allow it)")
    return Target(parts, host, port, addresses)
