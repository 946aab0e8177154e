"""What each upstream source asks of those who show its data: the API adds it to every data
answer, and every file of figures made from the feeds (text/csv answers, ``export-stats``)
carries it."""

from __future__ import annotations

ATTRIBUTION = (
    {"name": "Queue-Times.com", "url": "https://queue-times.com",
     "text": "Powered by Queue-Times.com"},
    {"name": "ThemeParks.wiki", "url": "https://themeparks.wiki",
     "text": "Data from ThemeParks.wiki"},
)


def attribution_line() -> str:
    """The attribution as one line of text: "Powered by Queue-Times.com
    (https://queue-times.com); Data from ThemeParks.wiki (https://themeparks.wiki)"."""
    return "; ".join(f"{a['text']} ({a['url']})" for a in ATTRIBUTION)
