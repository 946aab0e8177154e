"""OpenAPI 3.1 description of the API, served at /api/openapi.json.

Every object in a response is a closed schema (``additionalProperties: false``), so a field
the document does not declare fails validation. tests/integration/test_api_contract.py calls
every operation for every period, filter and sort, with the hourly tables and without, on
SQLite and MariaDB (and on an empty database, and for each error status), validates each
response against this document, and checks that every declared field occurs in some response;
schemathesis fuzzes a live server with it (tests/integration/test_api_schemathesis.py).

The schemas are written by hand (schemas.py) rather than generated from types: the queries
return plain dicts (STYLE: read side as plain dicts), and what a client needs to know (enums
from the code's own constants, ranges, date-time formats, which fields are null for which
period) is not in a type. Both directions of drift fail the contract test instead.
"""

from __future__ import annotations

from themepark_tracker.web.openapi import (
    catalog,
    evidence,
    feeds,
    heatmap,
    history,
    paths,
    subscriptions,
)
from themepark_tracker.web.openapi.schemas import COMPONENTS, Schema

__all__ = ["document"]

#: Modules that describe operations of their own: each has ``paths()`` and ``COMPONENTS``.
SECTIONS = (evidence, catalog, feeds, heatmap, subscriptions)


def document() -> Schema:
    """The OpenAPI 3.1 document."""
    return history.extend({
        "openapi": "3.1.0",
        "info": {"title": "themepark-tracker API", "version": "1",
                 "description": "Theme-park ride downtime: shame scores, rankings, details "
                                "and charts. Definitions: SPEC.md."},
        "paths": {**paths.parks(), **paths.rides(), **paths.live(), **paths.meta(),
                  **{k: v for section in SECTIONS for k, v in section.paths().items()}},
        "components": {"schemas": {**COMPONENTS, **{
            k: v for section in SECTIONS for k, v in section.COMPONENTS.items()}},
                       "securitySchemes": subscriptions.SECURITY_SCHEMES},
    })
