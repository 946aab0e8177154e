"""A hostile API (the security probe's D5) and the page's defences: it refuses an ``?api=`` origin
that is not allowed, renders no link from an answer unless it is http(s), and its
Content-Security-Policy (D11) refuses script injected into it.

The hostile API is a local server that proxies the real test API and rewrites every
``attribution[].url`` to ``javascript:alert(document.domain)``."""

from __future__ import annotations

import http.server
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Tab, _ServerThread, frontend_allowing, serve_static
from tests.browser.helpers import wait_rankings

EVIL = "javascript:alert(document.domain)"


class Hostile(_ServerThread):
    """The proxy, and the paths it was asked for."""

    def __init__(self, api_url: str) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                paths.append(self.path)
                with urllib.request.urlopen(api_url + self.path, timeout=30) as answer:  # noqa: S310
                    body = json.load(answer)
                if isinstance(body, dict) and "attribution" in body:
                    body["attribution"] = [{"name": "Queue-Times.com", "url": EVIL,
                                            "text": "Powered by Queue-Times.com"}]
                out = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        super().__init__(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler))
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def hostile(api_url: str) -> Iterator[Hostile]:
    server = Hostile(api_url)
    yield server
    server.stop()


def dialogs_of(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    return seen


def hrefs(page: Any) -> list[str]:
    return list(page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"))


def test_an_api_origin_that_is_not_allowed_is_refused(tab: Tab, api_url: str,
                                                      hostile: Hostile) -> None:
    page = tab.page
    page.goto(f"{api_url}/?api={hostile.url}")
    assert wait_rankings(page, "today") == "ready"
    assert hostile.paths == []  # not one request went there
    notice = page.locator("#api-refused")
    assert notice.is_visible()
    assert hostile.url in notice.inner_text() and "not one of" in notice.inner_text()
    assert page.locator("#api-base").inner_text() == api_url  # its own API instead
    assert all(h.startswith(("http://", "https://")) for h in hrefs(page))
    # What the page allows by default: the quickstart's API on port 5001.
    allowed = page.evaluate("""async () => (await import('/js/api.js')).allowedApiOrigins()""")
    assert allowed == ["http://localhost:5001", "http://127.0.0.1:5001"]
    tab.assert_no_errors()


def test_a_javascript_link_from_an_allowed_api_is_shown_as_text(
    tab: Tab, hostile: Hostile, tmp_path: Path,
) -> None:
    """Even an allowed API cannot put a javascript: link on the page."""
    page = tab.page
    dialogs = dialogs_of(page)
    server = serve_static(frontend_allowing(tmp_path / "frontend", [hostile.url]))
    try:
        page.goto(f"http://127.0.0.1:{server.server.server_port}/?api={hostile.url}")
        assert wait_rankings(page, "today") == "ready"
        assert hostile.paths, "the page should have used the allowed API"
        attribution = page.locator("#attribution")
        attribution.get_by_text("Powered by Queue-Times.com").wait_for()
        assert attribution.locator("a").count() == 0
        for href in hrefs(page):
            assert href.startswith(("http://", "https://")), href
        attribution.get_by_text("Powered by Queue-Times.com").click()
        page.wait_for_timeout(300)
        assert dialogs == []
        tab.assert_no_errors()
    finally:
        server.stop()


INJECT = """() => new Promise((resolve) => {
    const seen = [];
    document.addEventListener("securitypolicyviolation", (e) => seen.push(e.effectiveDirective));
    const script = document.createElement("script");
    script.textContent = "window.__inline = 1";
    document.body.append(script);
    document.body.insertAdjacentHTML("beforeend",
        '<img src="nope.png" onerror="window.__handler = 1" alt="">');
    const link = document.createElement("a");
    link.href = "javascript:window.__link = 1";
    document.body.append(link);
    link.click();
    setTimeout(() => resolve({ seen, inline: window.__inline ?? null,
        handler: window.__handler ?? null, link: window.__link ?? null }), 700);
})"""


@pytest.mark.parametrize("served_by", ["api", "static"])
def test_the_policy_refuses_injected_script(tab: Tab, api_url: str, served_by: str,
                                            request: pytest.FixtureRequest) -> None:
    """The API server sends the policy as a header; a plain static server has only the
    page's <meta> policy. Either way nothing injected runs."""
    page = tab.page
    dialogs = dialogs_of(page)
    if served_by == "api":
        page.goto(f"{api_url}/")
    else:
        page.goto(f"{request.getfixturevalue('static_url')}/?api={api_url}")
    assert wait_rankings(page, "today") == "ready"
    result = page.evaluate(INJECT)
    assert result["inline"] is None and result["handler"] is None and result["link"] is None
    assert {"script-src-elem", "script-src-attr"} <= set(result["seen"]), result["seen"]
    assert dialogs == []
