"""Webhooks (SPEC §13): subscriptions, the outbox of deliveries owed, and the worker of
``themepark run`` that sends them, signed, with retries.

Roles: ``targets`` decides where a request may go (no loopback, private or link-local
address unless ``WEBHOOK_ALLOW_PRIVATE``); ``messages`` makes the body, headers and signature;
``send`` posts one request to an address checked at that moment; ``store`` is the one writer
of ``webhook_subscriptions``; ``outbox`` the one writer of ``webhook_outbox`` and
``webhook_deliveries``; ``worker`` the thread that fans events out and delivers them.
"""
