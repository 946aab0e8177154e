"""Feed quality on the page (SPEC §12): each ranking row's labels say what the API says
("inferred from closures" for closed_only, coverage under 90 % in amber, stale in red, each
with a one-sentence tooltip), the filter "only parks whose feed reports breakdowns" keeps
exactly the API's reports_down rows, and the footer links to "How we count". Real Chromium,
page and API under the page's own strict CSP (a violation is a console error)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, select

from tests.browser.conftest import Tab, serve_api
from tests.browser.helpers import api_get, save, wait_details, wait_rankings
from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine
from themepark_tracker.timeutil import floor_hour

LOW_COVERAGE = 90.0


def _open_cycles_today(conn: Any, now: datetime) -> dict[int, tuple[bool, list[datetime]]]:
    """Each park's (schedule today?, open cycles of its local today up to ``now``)."""
    pas, s = t.park_activity_snapshots, t.park_schedules
    out = {}
    for park in conn.execute(select(t.parks.c.park_id, t.parks.c.timezone)):
        today = now.replace(tzinfo=UTC).astimezone(ZoneInfo(park.timezone)).date()
        scheduled = conn.execute(select(s.c.park_id).where(
            s.c.park_id == park.park_id, s.c.local_date == today)).first() is not None
        opens = list(conn.execute(select(pas.c.recorded_at).where(
            pas.c.park_id == park.park_id, pas.c.local_date == today, pas.c.park_appears_open,
            pas.c.recorded_at <= now).order_by(pas.c.recorded_at)).scalars())
        out[park.park_id] = (scheduled, opens)
    return out


def _drop(engine: Engine, park_id: int, instants: list[datetime]) -> None:
    """Remove a park's cycles at ``instants``, raw and hourly rows of their hours: a feed
    that missed them."""
    pas, rss = t.park_activity_snapshots, t.ride_status_snapshots
    with engine.begin() as conn:
        for at in instants:
            for table in (pas, rss):
                conn.execute(delete(table).where(table.c.park_id == park_id,
                                                 table.c.recorded_at == at))
        for table in (t.park_hourly_stats, t.ride_hourly_stats):
            conn.execute(delete(table).where(
                table.c.park_id == park_id,
                table.c.hour_start_utc.in_({floor_hour(at) for at in instants})))


@pytest.fixture(scope="module")
def quiet_api(sim_db: Engine, sim_now: datetime, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[str]:
    """The simulation with two feeds gone wrong today: one park (without a schedule today)
    has sent nothing since an open cycle at least 30 minutes ago (stale), another lost every
    other open cycle of today (low coverage)."""
    path = tmp_path_factory.mktemp("quality") / "sim.sqlite3"
    shutil.copy(str(sim_db.url.database), path)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        today = _open_cycles_today(conn, sim_now)
        cut = sim_now - timedelta(minutes=30)
        quiet = next(pid for pid, (scheduled, opens) in today.items()
                     if not scheduled and any(at <= cut for at in opens))
        last_open = max(at for at in today[quiet][1] if at <= cut)
        after = list(conn.execute(select(t.park_activity_snapshots.c.recorded_at).where(
            t.park_activity_snapshots.c.park_id == quiet,
            t.park_activity_snapshots.c.recorded_at > last_open)).scalars())
        gappy = next(pid for pid, (_, opens) in today.items() if pid != quiet and len(opens) >= 6)
    _drop(engine, quiet, after)
    _drop(engine, gappy, today[gappy][1][1::2])
    engine.dispose()
    server = serve_api(f"sqlite:///{path}", sim_now)
    yield f"http://127.0.0.1:{server.server.server_port}"
    server.stop()


def expected_labels(row: dict[str, Any]) -> list[str]:
    """The labels SPEC §12's fields call for, in the page's order."""
    out = []
    if row["stale"] is True:
        out.append("stale")
    if row["coverage"] is not None and row["coverage"] < LOW_COVERAGE:
        out.append(f"coverage {row['coverage']} %")
    if row["feed_kind"] == "closed_only":
        out.append("inferred from closures")
    return out


def shown_rows(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("""() => [...document.querySelectorAll('#results-body tr.park-row')]
        .map((tr) => ({park_id: Number(tr.dataset.parkId),
                       labels: [...tr.querySelectorAll('.quality')].map((q) => ({
                           text: q.innerText.trim(), cls: q.className,
                           title: q.getAttribute('title') || ''}))}))""")


def test_labels_and_filter_show_what_the_api_says(tab: Tab, quiet_api: str,
                                                  artifacts: Path) -> None:
    page = tab.page
    page.goto(f"{quiet_api}/#/?period=today&filter=all-parks&view=parks")
    assert wait_rankings(page, "today") == "ready"
    answer = api_get(quiet_api, "/api/parks/downtime", period="today", limit=200)
    rows = shown_rows(page)
    assert [r["park_id"] for r in rows] == [r["park_id"] for r in answer["data"]]
    want = {r["park_id"]: expected_labels(r) for r in answer["data"]}
    for row in rows:
        assert [q["text"] for q in row["labels"]] == want[row["park_id"]], row
        for q in row["labels"]:
            assert q["title"].endswith(".") and q["title"].count(". ") == 0, q  # one sentence
    classes = {q["text"].split()[0]: q["cls"] for r in rows for q in r["labels"]}
    assert "q-stale" in classes["stale"] and "q-coverage" in classes["coverage"]
    assert "q-inferred" in classes["inferred"]
    # The two broken feeds really show (stale red, coverage amber) and so does a closed_only.
    assert sum("stale" in w for w in want.values()) >= 1
    assert sum(any(x.startswith("coverage") for x in w) for w in want.values()) >= 1
    colours = page.evaluate("""() => ['q-stale', 'q-coverage'].map((c) =>
        getComputedStyle(document.querySelector('.' + c)).backgroundColor)""")
    assert colours == ["rgb(253, 227, 223)", "rgb(255, 243, 196)"]  # red, amber (main.css)
    save(page, artifacts, "feed-quality-labels", element="#results")

    page.check("#reports-down-only")
    page.locator('#results[data-feed="reports_down"][data-state="ready"]').wait_for()
    kept = [r["park_id"] for r in answer["data"] if r["feed_kind"] == "reports_down"]
    assert kept and len(kept) < len(answer["data"])
    filtered = shown_rows(page)
    assert [r["park_id"] for r in filtered] == kept
    assert not any("inferred from closures" in q["text"] for r in filtered for q in r["labels"])
    hidden = len(answer["data"]) - len(kept)
    assert page.locator("#results-body .table-note").first.inner_text().startswith(
        f"{hidden} park")
    save(page, artifacts, "feed-quality-filter", element="#results")
    page.uncheck("#reports-down-only")
    page.locator('#results[data-feed="any"][data-state="ready"]').wait_for()
    assert len(shown_rows(page)) == len(answer["data"])

    # The details dialog of a labelled park: the same labels, and its coverage figure.
    labelled = next(r for r in answer["data"] if expected_labels(r))
    details = api_get(quiet_api, f"/api/parks/{labelled['park_id']}/details", period="today")
    page.click(f'#results-body tr[data-park-id="{labelled["park_id"]}"] a.park-link')
    wait_details(page, "park", labelled["park_id"], "today")
    header = page.locator("#details .details-header .quality").all_inner_texts()
    assert header == expected_labels(details)
    coverage = page.locator('#details .stat:has(dt:text-is("Feed coverage")) dd').first
    assert coverage.inner_text() == (
        "—" if details["coverage"] is None else f"{details['coverage']:.1f} %")
    save(page, artifacts, "feed-quality-details", element="#details")
    tab.assert_no_errors()


def test_the_footer_links_to_how_we_count(tab: Tab, api_url: str, artifacts: Path) -> None:
    page = tab.page
    page.goto(f"{api_url}/")
    wait_rankings(page, "today")
    page.click("#how-we-count-link")
    page.wait_for_url("**/how-we-count.html")
    assert page.locator("h1").inner_text() == "How we count"
    headings = page.locator("article h2").all_inner_texts()
    for topic in ("The shame score", "Weights", "Periods", "Feed kinds", "Coverage",
                  "Stale feeds", "Outages", "Stay or go"):
        assert topic in headings
    text = page.locator("article").inner_text()
    for fact in ("weight 3", "weight 2", "weight 1", "15 minutes", "90 %", "180 days", "200"):
        assert fact in text, fact
    save(page, artifacts, "how-we-count", full_page=True)
    tab.assert_no_errors()
