"""Checking responses against /api/openapi.json: a strict validator, the URLs that walk every
operation and every value of its parameters, and the key paths a response has or a schema
declares (so a test can say which declared fields no response carried)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import jsonschema

#: JSON Schema 2020-12 as OpenAPI 3.1 uses it, stricter in two ways SPEC §6 asks for: an
#: "integer" is a JSON integer (3, not 3.0: a Decimal sum leaking through as a float fails),
#: and a "date-time" carries Z or an offset.
_integers = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _, v: isinstance(v, int) and not isinstance(v, bool))
StrictValidator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                               type_checker=_integers)
FORMATS = jsonschema.FormatChecker([])


@FORMATS.checks("date-time", raises=ValueError)
def _instant(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


def validator(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:
    """A validator for ``schema``, with the document's components alongside so that
    "#/components/schemas/..." resolves."""
    return StrictValidator({"components": spec["components"], **schema}, format_checker=FORMATS)


def response_schema(spec: Mapping[str, Any], path: str, status: int, method: str = "get"
                    ) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, f"{path} answered {status}, which it does not document"
    schema: dict[str, Any] = responses[str(status)]["content"]["application/json"]["schema"]
    return schema


def problems(spec: Mapping[str, Any], schema: Mapping[str, Any], body: Any) -> list[str]:
    """What is wrong with ``body`` against ``schema``, one line each ([] if nothing)."""
    errors = sorted(validator(spec, schema).iter_errors(body), key=str)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def public_paths(spec: Mapping[str, Any]) -> list[str]:
    """The paths with a GET that needs no token (those behind ADMIN_TOKEN, /api/subscriptions,
    are called by tests/integration/test_subscriptions_api.py)."""
    return [path for path, item in spec["paths"].items()
            if "get" in item and not item["get"].get("security")]


def walk(spec: Mapping[str, Any], ids: Mapping[str, Sequence[int]], texts: Sequence[str],
         period_dates: Mapping[str, Mapping[str, str]] | None = None,
         alone: Mapping[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """(documented path, URL) for every operation: every path id in ``ids[name]``; every
    period (``date`` and ``range`` with their parameters from ``period_dates``), each with
    the defaults and with each value of every other enumerated parameter; each ``park_id``
    filter in ``ids``; each search text; and each parameter named in ``alone`` that the
    operation takes, given alone with that value (one that excludes ``period``)."""
    for path in public_paths(spec):
        params = spec["paths"][path]["get"]["parameters"]
        names = {p["name"] for p in params}
        enums = {p["name"]: p["schema"]["enum"] for p in params if "enum" in p["schema"]}
        periods = enums.pop("period", [None])
        variants: list[dict[str, Any]] = [{}]
        variants += [{name: v} for name, values in enums.items() for v in values]
        if "park_id" in names and "{park_id}" not in path:
            variants += [{"park_id": i} for i in ids["park_id"]]
        if "limit" in names:
            variants.append({"limit": 1})
        if "q" in names:
            variants = [{"q": text} for text in texts]
        targets = [path]
        for name in ("park_id", "ride_id"):
            if f"{{{name}}}" in path:
                targets = [path.replace(f"{{{name}}}", str(i)) for i in ids[name]]
        for target in targets:
            for name, value in (alone or {}).items():
                if name in names:
                    yield path, f"{target}?{urlencode({name: value})}"
            for period in periods:
                for extra in variants:
                    dated = (period_dates or {}).get(period or "", {})
                    query = {**({"period": period} if period else {}), **dated, **extra}
                    yield path, target + (f"?{urlencode(query)}" if query else "")


def key_paths(body: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value: "data[].rank", "chart_data[].date", ..."""
    out: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            out |= {f"{prefix}{key}"} | key_paths(value, f"{prefix}{key}.")
    elif isinstance(body, list):
        for value in body:
            out |= key_paths(value, f"{prefix.rstrip('.')}[].")
    return out


def declared_paths(spec: Mapping[str, Any], schema: Mapping[str, Any], prefix: str = ""
                   ) -> set[str]:
    """Every key path ``schema`` declares (through $ref, oneOf and array items)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return declared_paths(spec, spec["components"]["schemas"][name], prefix)
    out: set[str] = set()
    for option in schema.get("oneOf", []):
        out |= declared_paths(spec, option, prefix)
    if "items" in schema:
        out |= declared_paths(spec, schema["items"], f"{prefix.rstrip('.')}[].")
    for key, value in schema.get("properties", {}).items():
        out |= {f"{prefix}{key}"} | declared_paths(spec, value, f"{prefix}{key}.")
    return out
