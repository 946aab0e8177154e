"""The OpenAPI document itself, without a database: every object in it is closed, every
operation documents its errors with the envelope, and it describes exactly the app's routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from themepark_tracker.config import Settings
from themepark_tracker.web import create_app
from themepark_tracker.web.openapi import document

ERROR = {"$ref": "#/components/schemas/Error"}


def schemas(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every dict that is a JSON Schema (has a type, properties or items) under ``node``."""
    if isinstance(node, dict):
        if any(k in node for k in ("type", "properties", "items")):
            yield where, node
        for key, value in node.items():
            yield from schemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from schemas(value, f"{where}/{n}")


def test_every_object_schema_is_closed_and_requires_only_what_it_declares() -> None:
    spec = document()
    objects = [(where, s) for where, s in schemas(spec) if s.get("type") == "object"
               or "properties" in s]
    assert len(objects) > 30  # the walk found the schemas
    for where, schema in objects:
        assert schema.get("additionalProperties") is False, where
        assert set(schema["required"]) <= set(schema["properties"]), where


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_documents_its_errors_with_the_envelope() -> None:
    for path, method, operation in operations():
        responses = operation["responses"]
        for status in ("400", "429", "500"):  # 400: bad or unknown parameters
            assert responses[status]["content"]["application/json"]["schema"] == ERROR, (
                path, status)
        by_id = "{" in path
        # A GET answers 404 only for an id in its path; a POST also for an id in its body.
        assert ("404" in responses) == by_id or method == "post", path
        if operation.get("security"):  # behind the bearer token
            assert {"401", "403"} <= set(responses), path
        if by_id:
            assert responses["404"]["content"]["application/json"]["schema"] == ERROR
        health = {"$ref": "#/components/schemas/Health"}
        assert responses["503"]["content"]["application/json"]["schema"] == (
            health if path == "/api/health" else ERROR), path


def test_the_document_describes_exactly_the_apps_api_and_feed_routes() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    routes = {(rule.rule.replace("<", "{").replace(">", "}"), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith(("/api/", "/feeds/"))
              for method in (rule.methods or ()) if method in {"GET", "POST", "DELETE"}}
    assert routes - {("/api/openapi.json", "get")} == {
        (path, method) for path, method, _ in operations()}
