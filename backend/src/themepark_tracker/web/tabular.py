"""``Accept: text/csv`` for the endpoints whose answer is one table (the rankings, a park's or
a ride's history): the JSON answer, read through the response cache like any other, written
as CSV.

The first line credits the feeds (``# Powered by Queue-Times.com (...); Data from
ThemeParks.wiki (...)``; read it with e.g. pandas' ``comment="#"``), then a header row, then
one row per table row. The columns are those the OpenAPI document declares for the row, in
its order, so an empty table still has its header. Text cells that a spreadsheet would run
as a formula get a leading ``'`` (``names.quote_formula``, as the ``export`` files); an object
cell is written as its JSON text; null is an empty cell, booleans ``true``/``false``.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from typing import Any

from flask import Response, request

from themepark_tracker.names import quote_formula
from themepark_tracker.sources.attribution import attribution_line
from themepark_tracker.web.openapi import document

CSV = "text/csv"
JSON = "application/json"


def wants_csv() -> bool:
    """Whether the client prefers CSV to JSON (``*/*`` and no Accept mean JSON)."""
    return request.accept_mimetypes.best_match([JSON, CSV]) == CSV


@cache
def columns(component: str) -> tuple[str, ...]:
    """The fields the document declares for a row schema, in order."""
    schema: dict[str, Any] = document()["components"]["schemas"][component]
    return tuple(schema["properties"])


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote_formula(value)
    if isinstance(value, dict | list):
        return quote_formula(json.dumps(value, separators=(",", ":")))
    return str(value)


def csv_text(rows: list[dict[str, Any]], names: tuple[str, ...]) -> str:
    out = io.StringIO()
    out.write(f"# {attribution_line()}\r\n")
    writer = csv.writer(out)
    writer.writerow(names)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in names])
    return out.getvalue()


def csv_or_json(response: Response, rows_key: str, component: str) -> Response:
    """``response`` (a JSON answer) as it is, or, when the client asks for CSV and it is a
    200, its ``rows_key`` table as CSV (errors stay JSON envelopes)."""
    response.vary.add("Accept")
    if response.status_code != 200 or not wants_csv():
        return response
    body = json.loads(response.get_data())
    out = Response(csv_text(body[rows_key], columns(component)),
                   mimetype=CSV, headers={"Vary": "Accept"})
    out.headers["Content-Type"] = f"{CSV}; charset=utf-8; header=present"
    for name in ("Cache-Control", "X-Cache"):
        if name in response.headers:
            out.headers[name] = response.headers[name]
    return out
