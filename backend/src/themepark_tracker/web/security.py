"""The security headers of every answer: the page's Content-Security-Policy, a stricter one for
the JSON API, ``nosniff`` and no referrer.

The page's policy is written once, in ``frontend/index.html``'s
``<meta http-equiv="Content-Security-Policy">``, so that it also holds when a plain static
server serves the page (the quickstart's ``python3 -m http.server 8080``). Its ``connect-src``
lists the API origins the page may use, which is also the allow-list ``frontend/js/api.js``
checks ``?api=`` against. Served from here, the same policy goes out as a header, with
``frame-ancestors 'none'`` added (a ``<meta>`` policy cannot carry it).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from flask import Response, request

logger = logging.getLogger(__name__)

#: A JSON answer (or an Atom feed) loads nothing and belongs in no frame.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
#: What only a header can say, added to the page's own policy.
HEADER_ONLY = "frame-ancestors 'none'"

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class _PolicyFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.policy: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        equiv = (values.get("http-equiv") or "").lower()
        if tag == "meta" and equiv == "content-security-policy" and self.policy is None:
            self.policy = values.get("content")


@lru_cache(maxsize=4)
def _page_policy(index: Path, modified_ns: int) -> str | None:
    finder = _PolicyFinder()
    finder.feed(index.read_text(encoding="utf-8"))
    if finder.policy is None:
        logger.warning("%s has no Content-Security-Policy <meta>; serving the API's", index)
    return finder.policy


def page_policy(frontend_dir: Path) -> str:
    """The page's policy as a header: index.html's, plus ``frame-ancestors 'none'``."""
    index = frontend_dir / "index.html"
    try:
        policy = _page_policy(index, index.stat().st_mtime_ns)
    except OSError:
        policy = None
    if policy is None:
        return API_POLICY
    return f"{policy.strip().rstrip(';')}; {HEADER_ONLY}"


def add_security_headers(response: Response, frontend_dir: Path) -> None:
    for name, value in COMMON_HEADERS.items():
        response.headers[name] = value
    # The Atom feeds, like the API, are data that loads nothing.
    is_api = request.path.startswith(("/api/", "/feeds/")) or request.path == "/api"
    response.headers["Content-Security-Policy"] = (
        API_POLICY if is_api else page_policy(frontend_dir))
