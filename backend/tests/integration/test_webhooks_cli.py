"""``themepark webhooks`` on SQLite and MariaDB: add (the secret printed once), list, remove,
test (a signed delivery to a real local receiver, logged); bad input is one clear line and
exit 1 or 2, with nothing stored. And the README's receiver, run as written, accepting a real
delivery and refusing a forged one."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from tests.factories import make_park
from tests.webhook_support import Receiver, serve_receiver, verify
from themepark_tracker.cli import main
from themepark_tracker.db.alert_tables import webhook_deliveries, webhook_subscriptions

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver() as found:
        yield found


def run(engine: Engine, *args: str, private: bool = True) -> Any:
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "WEBHOOK_ALLOW_PRIVATE": "true" if private else "false"}
    return CliRunner().invoke(main, ["webhooks", *args], env=env)


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(webhook_subscriptions)) or 0)


def test_add_list_test_remove(engine: Engine, receiver: Receiver) -> None:
    make_park(engine, 7)
    added = run(engine, "add", receiver.url, "--event", "ride.down", "--ride", "701",
                "--park", "7", "--format", "discord")
    assert added.exit_code == 0, added.output
    secret = re.search(r"Secret \(shown only now[^)]*\): ([0-9a-f]{64})", added.output)
    made = re.search(r"Subscription (\d+): ride\.down to ", added.output)
    assert secret and made, added.output
    sid = made.group(1)  # ids are not reused (MariaDB keeps counting after a test's rows go)

    listed = run(engine, "list")
    assert listed.exit_code == 0 and secret.group(1) not in listed.output
    assert re.search(rf"^{sid}\tride\.down\tpark=7 ride=701\tdiscord\tactive ", listed.output,
                     re.M)

    tested = run(engine, "test", sid)
    assert tested.exit_code == 0, tested.output
    assert tested.stdout.startswith("Delivered: HTTP 204 in ")
    got = receiver.received[0]
    assert verify(secret.group(1), got)
    assert got.json() == {"content": "Test from themepark-tracker: this webhook works."}
    assert got.event_id.startswith("test-")
    with engine.connect() as conn:
        logged = conn.execute(select(webhook_deliveries)).one()
    assert (logged.event_id, logged.status_code, logged.succeeded) == (got.event_id, 204, True)

    receiver.status = 500
    failed = run(engine, "test", sid)
    assert failed.exit_code == 1 and "the test delivery failed: HTTP 500" in failed.output

    assert run(engine, "remove", sid).stdout == f"Removed subscription {sid}\n"
    gone = run(engine, "remove", sid)
    assert gone.exit_code == 1 and f"no webhook subscription with id {sid}" in gone.output
    assert run(engine, "list").stdout == "No webhook subscriptions.\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--event", "ride.down", "--ride", "999"], "no ride with id 999"),
    (["--event", "ride.down", "--park", "8"], "no park with id 8"),
    (["--event", "ride.down", "--ride", "701", "--park", "3"], "no park with id 3"),
    (["--event", "ride.down"], "ride.down needs a ride, a park or both"),
    (["--event", "ride.down", "--ride", "701", "--threshold", "3"],
     "ride.down does not take a threshold"),
    (["--event", "park.score_above", "--park", "7"], "park.score_above needs a threshold"),
    (["--event", "park.score_above", "--park", "7", "--threshold", "12"],
     "threshold must be a shame score from 0 to below 10"),
    (["--event", "ride.wait_below", "--ride", "701", "--minutes", "0"],
     "minutes must be from 1 to 600"),
    (["--event", "ride.wait_below", "--park", "7", "--minutes", "30"],
     "ride.wait_below needs a ride"),
])
def test_bad_subscriptions_are_one_clear_line(engine: Engine, args: list[str],
                                              message: str) -> None:
    make_park(engine, 7)
    result = run(engine, "add", "http://127.0.0.1:9/hook", *args)
    assert result.exit_code == 1 and f"Error: {message}" in result.output, result.output
    assert "Traceback" not in result.output and count(engine) == 0


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:9/hook", "resolves to 127.0.0.1: a loopback, private or link-local"),
    ("http://169.254.169.254/", "resolves to 169.254.169.254"),
    ("file:///etc/passwd", "must be http:// or https:// with a host"),
    ("http://user:pw@example.com/", "must not carry a user name or password"),
    ("http://example.com:99999/", "not a URL"),
])
def test_private_and_odd_targets_are_refused(engine: Engine, url: str, message: str) -> None:
    make_park(engine, 7)
    result = run(engine, "add", url, "--event", "ride.down", "--ride", "701", private=False)
    assert result.exit_code == 1 and message in result.output, result.output
    assert count(engine) == 0


def readme_receiver() -> str:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- webhook-receiver -->", 1)[1].split("```python\n", 1)[1]
    return block.split("```", 1)[0]


def test_the_readme_receiver_verifies_a_real_delivery(engine: Engine, tmp_path: Path) -> None:
    code = readme_receiver()
    assert 8 <= len([line for line in code.splitlines() if line.strip()]) <= 12
    make_park(engine, 7)
    with serve_receiver() as probe:  # only to find a free port
        port = probe.port
    added = run(engine, "add", f"http://127.0.0.1:{port}/", "--event", "ride.up", "--park", "7")
    secret = re.search(r": ([0-9a-f]{64})", added.output)
    made = re.search(r"Subscription (\d+):", added.output)
    assert secret and made, added.output
    sid = made.group(1)
    script = tmp_path / "receiver.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env={"WEBHOOK_SECRET": secret.group(1), "PORT": str(port),
                                 "PATH": "/usr/bin:/bin"})
    try:
        deadline = time.monotonic() + 20
        while (result := run(engine, "test", sid)).exit_code != 0:
            assert time.monotonic() < deadline, result.output  # the receiver is starting
            time.sleep(0.2)
        assert "HTTP 204" in result.output
        with engine.begin() as conn:  # the same subscription with another secret: forged
            conn.execute(webhook_subscriptions.update().values(secret="0" * 64))
        forged = run(engine, "test", sid)
        assert forged.exit_code == 1 and "HTTP 401" in forged.output
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    lines = out.splitlines()
    assert lines[-2].endswith(" verified") and lines[-1].endswith(" REJECTED"), out
