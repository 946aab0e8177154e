"""One HTTP POST to a webhook target, to the address checked just before (targets.py), so a
DNS answer that changes between the check and the connection cannot redirect it inward.

Never raises for a failed delivery: the result carries the status code (if any), how long it
took and the error, which the outbox logs as one attempt. Redirects are not followed (a
redirect could point anywhere); a 2xx is success, anything else a failure to retry.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

import httpx

from themepark_tracker.webhooks.messages import Message
from themepark_tracker.webhooks.targets import TargetError, check_target

#: How much of an error message is kept in the log of attempts.
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    duration_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(client: httpx.Client, url: str, message: Message, *, allow_private: bool) -> Attempt:
    """POST ``message`` to ``url`` with ``client`` (its timeout applies); see the module."""
    started = time.perf_counter()

    def done(status: int | None, error: str | None) -> Attempt:
        elapsed = round((time.perf_counter() - started) * 1000)
        return Attempt(status, elapsed, error[:MAX_ERROR_LENGTH] if error else None)

    try:
        target = check_target(url, allow_private)
    except TargetError as exc:
        return done(None, str(exc))
    address = target.addresses[0]
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    pinned = target.url._replace(netloc=f"{literal}:{target.port}").geturl()
    host = target.url.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    try:
        response = client.post(pinned, content=message.body,
                               headers={**message.headers, "Host": host},
                               extensions=extensions)
    except httpx.TimeoutException:
        return done(None, "timed out")
    except httpx.HTTPError as exc:
        return done(None, f"{type(exc).__name__}: {exc}")
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return done(response.status_code, error)
