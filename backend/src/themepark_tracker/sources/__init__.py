"""Upstream feeds (Queue-Times.com, ThemeParks.wiki): fetch and parse, no database."""
