"""Pure rules of webhook delivery: which addresses count as internal, the retry schedule
(hand-worked), and the Message headers of SPEC §13."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import datetime, timedelta

import pytest

from themepark_tracker.config import ConfigError, Settings
from themepark_tracker.webhooks.messages import build
from themepark_tracker.webhooks.outbox import DELIVERED, GIVEN_UP, PENDING, Due, next_state
from themepark_tracker.webhooks.targets import TargetError, is_public, parse_url

T0 = datetime(2026, 7, 1, 12, 0)


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.215.14", True), ("2606:4700::1111", True),
    ("127.0.0.1", False), ("127.8.9.10", False), ("::1", False), ("10.0.0.1", False),
    ("172.16.5.4", False), ("192.168.1.1", False), ("169.254.169.254", False),
    ("fe80::1", False), ("fc00::1", False), ("0.0.0.0", False), ("::", False),
    ("224.0.0.1", False), ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),
    ("100.64.0.1", False),  # carrier-grade NAT
])
def test_internal_addresses(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("url", ["ftp://x.example/", "http://", "//x.example/a",
                                 "http://a b.example/", "https://u:p@x.example/",
                                 "http://x.example:0x50/"])
def test_odd_urls(url: str) -> None:
    with pytest.raises(TargetError):
        parse_url(url)


def test_the_retry_schedule() -> None:
    settings = Settings(database_url="sqlite://", webhook_retry_base_seconds=30,
                        webhook_retry_max_seconds=100, webhook_retry_hours=1)

    def after(attempts: int, now: datetime) -> tuple[str, datetime]:
        return next_state(Due(1, 1, "e", attempts, T0), False, now, settings)

    now = T0 + timedelta(minutes=1)
    assert after(0, now) == (PENDING, now + timedelta(seconds=30))   # 30 · 2^0
    assert after(1, now) == (PENDING, now + timedelta(seconds=60))   # 30 · 2^1
    assert after(2, now) == (PENDING, now + timedelta(seconds=100))  # 120, capped at 100
    late = T0 + timedelta(minutes=59, seconds=30)
    assert after(9, late) == (PENDING, T0 + timedelta(hours=1))  # one last try at the end
    assert after(10, T0 + timedelta(hours=1)) == (GIVEN_UP, T0 + timedelta(hours=1))
    assert next_state(Due(1, 1, "e", 3, T0), True, now, settings) == (DELIVERED, now)


def test_headers_and_signature() -> None:
    message = build("json", "k3y", {"id": "ride.down:ride-1:x", "type": "ride.down",
                                    "occurred_at": "2026-07-01T12:00:00Z"}, 1782907200)
    assert message.headers["X-Themepark-Event-Id"] == "ride.down:ride-1:x"
    assert message.headers["X-Themepark-Timestamp"] == "1782907200"
    expected = hmac.new(b"k3y", b"1782907200." + message.body, hashlib.sha256).hexdigest()
    assert message.headers["X-Themepark-Signature"] == f"sha256={expected}"


def test_webhook_settings_are_checked() -> None:
    assert Settings.from_env({}).webhook_timeout_seconds == 10
    assert Settings.from_env({}).admin_token is None
    with pytest.raises(ConfigError, match="WEBHOOK_RETRY_HOURS"):
        Settings.from_env({"WEBHOOK_RETRY_HOURS": "soon"})
    with pytest.raises(ConfigError, match="WEBHOOK_ALLOW_PRIVATE"):
        Settings.from_env({"WEBHOOK_ALLOW_PRIVATE": "maybe"})
    with pytest.raises(ConfigError, match="WEBHOOK_POLL_SECONDS"):
        Settings.from_env({"WEBHOOK_POLL_SECONDS": "-1"})
