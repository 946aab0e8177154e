"""/api/subscriptions on SQLite and MariaDB: the bearer token (none: 401, wrong: 403, no
ADMIN_TOKEN on the server: 403), private targets refused, bad bodies as 400 envelopes, and a
subscription made, listed (without its secret) and removed; every answer checked against
the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.contract import problems, response_schema
from tests.factories import make_park
from themepark_tracker.db.alert_tables import webhook_subscriptions
from themepark_tracker.db.migrate import upgrade
from themepark_tracker.web.openapi import document

NOW = datetime(2026, 7, 1, 15, 0)
TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE = "/api/subscriptions"
SPEC = document()


def checked(response: Any, path: str, method: str) -> Any:
    body = response.get_json()
    wrong = problems(SPEC, response_schema(SPEC, path, response.status_code, method), body)
    assert not wrong, (response.status_code, body, wrong[:5])
    assert response.headers["Cache-Control"] == "no-store"
    return body


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(webhook_subscriptions)) or 0)


@pytest.fixture
def api(engine: Engine, make_api: Any) -> Any:
    upgrade(engine)
    make_park(engine, 7)
    return make_api(NOW, admin_token=TOKEN, webhook_allow_private=True)


@pytest.mark.parametrize(("method", "path"), [
    ("get", BASE), ("post", BASE), ("delete", f"{BASE}/1")])
@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401), ({"Authorization": "Basic " + TOKEN}, 401), ({"Authorization": "Bearer "}, 401),
    ({"Authorization": "Bearer wrong"}, 403), ({"Authorization": f"Bearer {TOKEN}x"}, 403),
])
def test_missing_or_wrong_tokens_are_refused(api: Any, engine: Engine, method: str,
                                             path: str, headers: dict[str, str],
                                             status: int) -> None:
    body = {"url": "http://127.0.0.1:9/hook", "event": "ride.down", "ride_id": 701}
    response = getattr(api, method)(path, headers=headers, json=body)
    assert response.status_code == status
    error = checked(response, path.replace("/1", "/{subscription_id}"), method)["error"]
    assert error["code"] == ("unauthorized" if status == 401 else "forbidden")
    assert ("WWW-Authenticate" in response.headers) == (status == 401)
    assert count(engine) == 0


def test_a_server_without_admin_token_refuses_everyone(engine: Engine, make_api: Any) -> None:
    upgrade(engine)
    client = make_api(NOW)  # no admin_token
    for headers in ({}, AUTH, {"Authorization": "Bearer "}):
        response = client.get(BASE, headers=headers)
        assert response.status_code == 403
        assert "ADMIN_TOKEN" in checked(response, BASE, "get")["error"]["message"]


def test_private_targets_are_refused(engine: Engine, make_api: Any) -> None:
    upgrade(engine)
    make_park(engine, 7)
    client = make_api(NOW, admin_token=TOKEN)  # WEBHOOK_ALLOW_PRIVATE left false
    for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/",
                "http://192.168.0.10/", "http://169.254.169.254/latest/meta-data",
                "http://[::1]/hook", "http://[fe80::1]/", "http://0.0.0.0/"):
        response = client.post(BASE, headers=AUTH, json={
            "url": url, "event": "ride.down", "ride_id": 701})
        assert response.status_code == 400, url
        error = checked(response, BASE, "post")["error"]
        assert (error["code"], error["parameter"]) == ("invalid_target", "url"), url
    assert count(engine) == 0


@pytest.mark.parametrize(("body", "status", "parameter"), [
    ({"event": "ride.down", "ride_id": 701}, 400, "url"),
    ({"url": "ftp://example.com/x", "event": "ride.down", "ride_id": 701}, 400, "url"),
    ({"url": "http://127.0.0.1:9/", "event": "ride.sideways", "ride_id": 701}, 400, "event"),
    ({"url": "http://127.0.0.1:9/", "event": "ride.down"}, 400, "ride"),
    ({"url": "http://127.0.0.1:9/", "event": "ride.down", "ride_id": "701"}, 400, "ride_id"),
    ({"url": "http://127.0.0.1:9/", "event": "ride.down", "ride_id": True}, 400, "ride_id"),
    ({"url": "http://127.0.0.1:9/", "event": "ride.down", "ride_id": 701, "x": 1}, 400, "x"),
    ({"url": "http://127.0.0.1:9/", "event": "ride.down", "ride_id": 999}, 404, "ride_id"),
    ({"url": "http://127.0.0.1:9/", "event": "park.score_above", "park_id": 7}, 400,
     "threshold"),
    ({"url": "http://127.0.0.1:9/", "event": "park.score_above", "park_id": 7,
      "threshold": 11}, 400, "threshold"),
    ({"url": "http://127.0.0.1:9/", "event": "ride.down", "ride_id": 701, "minutes": 5},
     400, "minutes"),
    ({"url": "http://127.0.0.1:9/", "event": "ride.down", "ride_id": 701,
      "format": "telegram"}, 400, "format"),
])
def test_bad_bodies_are_400_or_404_envelopes_naming_the_field(
        api: Any, engine: Engine, body: dict[str, Any], status: int, parameter: str) -> None:
    response = api.post(BASE, headers=AUTH, json=body)
    assert response.status_code == status, response.get_json()
    assert checked(response, BASE, "post")["error"]["parameter"] == parameter
    assert count(engine) == 0


def test_not_json_and_unknown_parameters(api: Any) -> None:
    response = api.post(BASE, headers=AUTH, data="url=x", content_type="text/plain")
    assert response.status_code == 400
    assert checked(response, BASE, "post")["error"]["code"] == "invalid_body"
    response = api.get(f"{BASE}?limit=3", headers=AUTH)
    assert response.status_code == 400
    assert checked(response, BASE, "get")["error"]["parameter"] == "limit"


def test_make_list_and_remove(api: Any, engine: Engine) -> None:
    made = api.post(BASE, headers=AUTH, json={
        "url": "http://127.0.0.1:9/hook", "event": "ride.wait_below", "ride_id": 702,
        "minutes": 30, "format": "ntfy"})
    assert made.status_code == 201
    sub = checked(made, BASE, "post")["subscription"]
    assert len(sub["secret"]) == 64 and int(sub["secret"], 16) >= 0
    assert (sub["event"], sub["ride_id"], sub["minutes"], sub["format"], sub["status"]) == (
        "ride.wait_below", 702, 30, "ntfy", "active")

    listed = checked(api.get(BASE, headers=AUTH), BASE, "get")["subscriptions"]
    assert [s["subscription_id"] for s in listed] == [sub["subscription_id"]]
    assert "secret" not in listed[0]

    path = f"{BASE}/{sub['subscription_id']}"
    gone = api.delete(path, headers=AUTH)
    assert gone.status_code == 200
    assert checked(gone, f"{BASE}/{{subscription_id}}", "delete") == {
        "removed": sub["subscription_id"]}
    again = api.delete(path, headers=AUTH)
    assert again.status_code == 404
    assert checked(again, f"{BASE}/{{subscription_id}}", "delete")["error"]["code"] == "not_found"
    assert count(engine) == 0


def test_cors_allows_the_write_methods_and_the_authorization_header(api: Any) -> None:
    response = api.options(BASE, headers={"Origin": "http://elsewhere.example",
                                          "Access-Control-Request-Method": "POST"})
    assert response.status_code == 200
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) >= {
        "GET", "POST", "DELETE"}
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert api.options("/api/health").headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"


def test_an_unmigrated_database_is_a_503_envelope(tmp_path: Any) -> None:
    from themepark_tracker.config import Settings
    from themepark_tracker.web import create_app

    client = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                                 admin_token=TOKEN, webhook_allow_private=True),
                        clock=lambda: NOW).test_client()
    for method, path, body in (("get", BASE, None), ("delete", f"{BASE}/1", None), (
            "post", BASE, {"url": "http://127.0.0.1:9/", "event": "ride.down", "park_id": 1})):
        response = getattr(client, method)(path, headers=AUTH, json=body)
        assert response.status_code == 503, (method, response.get_json())
        checked(response, path.replace("/1", "/{subscription_id}"), method)
