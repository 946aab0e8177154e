"""Settings read from the environment (SPEC §9).

Entry points call ``Settings.from_env()`` once; library code receives the settings object
and never reads ``os.environ`` itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "themepark-tracker"
# The port `themepark serve` and `themepark demo` listen on unless told otherwise.
DEFAULT_PORT = 5001


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _rate_limit(env: Mapping[str, str]) -> str | None:
    raw = env.get("API_RATE_LIMIT", "1200 per minute").strip()
    if raw.lower() in {"", "off", "0", "none"}:
        return None
    try:
        from limits import parse_many

        parse_many(raw)
    except ValueError:
        raise ConfigError(
            f"API_RATE_LIMIT must look like '1200 per minute' or '20/second', or be 'off'; "
            f"got {raw!r}"
        ) from None
    return raw


@dataclass(frozen=True)
class Settings:
    database_url: str
    database_is_embedded: bool = False
    collection_interval_minutes: int = 5
    cache_url: str | None = None
    cache_ttl_seconds: int = 300
    raw_retention_days: int = 90
    #: SPEC §11: the recovery curves are fitted over outages that started this many days back.
    recovery_window_days: int = 180
    use_hourly_tables: bool = True
    queue_times_base_url: str = "https://queue-times.com"
    themeparks_wiki_base_url: str = "https://api.themeparks.wiki/v1"
    #: How often ``themepark run`` collects, in seconds. Unset: the interval I. Only for
    #: rehearsals and tests (a cycle every few seconds); every metric still uses I.
    collection_period_seconds: int | None = None
    http_timeout_seconds: int = 20
    http_retries: int = 3
    http_concurrency: int = 4
    #: ``backfill-upstream``: the least time between two requests to ThemeParks.wiki's history
    #: API (its hourly budget is small), and the longest ``Retry-After`` waited out before the
    #: run stops cleanly to be resumed later.
    history_request_spacing_ms: int = 1000
    history_max_wait_seconds: int = 120
    #: Per-client API request limit (Flask-Limiter syntax); empty or "off" disables it.
    api_rate_limit: str | None = "1200 per minute"
    #: The embedded SQLite database in THEMEPARK_DATA_DIR, whatever DATABASE_URL says (the demo
    #: always uses it).
    embedded_database_url: str = ""
    #: The production database's name: ``themepark mirror`` never writes to it.
    production_database_name: str = "themepark_tracker"
    #: The catalogue sync takes two parks of one name in the two feeds for one park only when
    #: their coordinates (where both give them) lie at most this many km apart.
    park_match_max_km: int = 10
    #: SPEC §13: a ``ride.down`` event once an outage has this many counted-down cycles.
    alert_min_down_cycles: int = 2
    #: SPEC §13: an event whose cause is older than this when recorded is never delivered
    #: (a backfill or an import floods nobody); it is still recorded and in the feeds.
    event_max_age_minutes: int = 30
    #: The bearer token of the write API (/api/subscriptions); unset: that API refuses.
    admin_token: str | None = None
    #: Webhook targets on loopback, private or link-local addresses (tests, a home network).
    webhook_allow_private: bool = False
    webhook_timeout_seconds: int = 10
    #: A delivery is retried with exponential backoff from this pause, up to the maximum,
    #: for this many hours after its event was queued; then it is given up.
    webhook_retry_base_seconds: float = 30.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_retry_hours: float = 24.0
    #: Consecutive failed attempts after which a subscription is marked failing.
    webhook_failing_after: int = 5
    #: Subscriptions delivered to at the same time (one delivery at a time per subscription).
    webhook_concurrency: int = 8
    #: How often the delivery worker looks for due deliveries when no cycle wakes it.
    webhook_poll_seconds: float = 2.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url, embedded = database_url_from_env(env)
        return cls(
            database_url=url,
            database_is_embedded=embedded,
            collection_interval_minutes=_int(env, "COLLECTION_INTERVAL_MINUTES", 5),
            cache_url=env.get("CACHE_URL") or None,
            raw_retention_days=_int(env, "RAW_RETENTION_DAYS", 90),
            recovery_window_days=_int(env, "RECOVERY_WINDOW_DAYS", 180),
            use_hourly_tables=_bool(env, "USE_HOURLY_TABLES", True),
            queue_times_base_url=env.get("QUEUE_TIMES_BASE_URL", "https://queue-times.com"),
            themeparks_wiki_base_url=env.get(
                "THEMEPARKS_WIKI_BASE_URL", "https://api.themeparks.wiki/v1"
            ),
            collection_period_seconds=(
                _int(env, "COLLECTION_PERIOD_SECONDS", 1)
                if env.get("COLLECTION_PERIOD_SECONDS") else None
            ),
            http_timeout_seconds=_int(env, "HTTP_TIMEOUT_SECONDS", 20),
            http_retries=_int(env, "HTTP_RETRIES", 3, minimum=0),
            http_concurrency=_int(env, "HTTP_CONCURRENCY", 4),
            history_request_spacing_ms=_int(env, "HISTORY_REQUEST_SPACING_MS", 1000, minimum=0),
            history_max_wait_seconds=_int(env, "HISTORY_MAX_WAIT_SECONDS", 120, minimum=0),
            api_rate_limit=_rate_limit(env),
            embedded_database_url=embedded_url(env),
            production_database_name=env.get("PRODUCTION_DATABASE_NAME") or "themepark_tracker",
            park_match_max_km=_int(env, "PARK_MATCH_MAX_KM", 10),
            alert_min_down_cycles=_int(env, "ALERT_MIN_DOWN_CYCLES", 2),
            event_max_age_minutes=_int(env, "EVENT_MAX_AGE_MINUTES", 30, minimum=0),
            admin_token=env.get("ADMIN_TOKEN") or None,
            **webhook_settings(env),
        )

    @property
    def collection_period(self) -> int:
        """Seconds between two cycles of ``themepark run``."""
        return self.collection_period_seconds or self.collection_interval_minutes * 60

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url, database_is_embedded=url.startswith("sqlite"))


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name} must be a positive number, got {raw!r}")
    return value


def webhook_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The WEBHOOK_* settings (README, "Webhooks")."""
    return {
        "webhook_allow_private": _bool(env, "WEBHOOK_ALLOW_PRIVATE", False),
        "webhook_timeout_seconds": _int(env, "WEBHOOK_TIMEOUT_SECONDS", 10),
        "webhook_retry_base_seconds": _seconds(env, "WEBHOOK_RETRY_BASE_SECONDS", 30.0),
        "webhook_retry_max_seconds": _seconds(env, "WEBHOOK_RETRY_MAX_SECONDS", 3600.0),
        "webhook_retry_hours": _seconds(env, "WEBHOOK_RETRY_HOURS", 24.0),
        "webhook_failing_after": _int(env, "WEBHOOK_FAILING_AFTER", 5),
        "webhook_concurrency": _int(env, "WEBHOOK_CONCURRENCY", 8),
        "webhook_poll_seconds": _seconds(env, "WEBHOOK_POLL_SECONDS", 2.0),
    }


def database_url_from_env(env: Mapping[str, str]) -> tuple[str, bool]:
    """Return (SQLAlchemy URL, is_embedded) following SPEC §9's order of precedence."""
    if env.get("DATABASE_URL"):
        url = env["DATABASE_URL"]
        return url, url.startswith("sqlite")
    name = env.get("DATABASE_NAME")
    if name:
        user = quote_plus(env.get("DB_USER", "root"))
        password = env.get("DB_PASSWORD", "")
        auth = f"{user}:{quote_plus(password)}" if password else user
        socket = env.get("DB_SOCKET")
        if socket:
            query = f"unix_socket={socket}&charset=utf8mb4"
            return f"mysql+pymysql://{auth}@localhost/{name}?{query}", False
        host = env.get("DB_HOST", "127.0.0.1")
        port = _int(env, "DB_PORT", 3306)
        return f"mysql+pymysql://{auth}@{host}:{port}/{name}?charset=utf8mb4", False
    return embedded_url(env), True


def embedded_url(env: Mapping[str, str]) -> str:
    """The embedded SQLite database's URL, in THEMEPARK_DATA_DIR."""
    data_dir = Path(env.get("THEMEPARK_DATA_DIR", str(DEFAULT_DATA_DIR)))
    return f"sqlite:///{data_dir / 'themepark.sqlite3'}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite URL, or None for other databases and in-memory SQLite."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.endswith(":memory:"):
        return None
    return Path(url[len(prefix):])
