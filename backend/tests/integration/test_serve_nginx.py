"""deployment/nginx/themepark-tracker.conf: nginx accepts it (``nginx -t``), and in front of
a real ``themepark serve`` it passes reads through and refuses writes. Needs Debian's
``nginx`` package: skipped without it, a failure under ``CI=true``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_serve_hostile_clients import free_port, server  # noqa: F401

REPO = Path(__file__).resolve().parents[3]
CONF = REPO / "deployment" / "nginx" / "themepark-tracker.conf"

pytestmark = pytest.mark.slow


def nginx_or_skip() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is missing under CI=true (apt-get install -y nginx)")
    pytest.skip("nginx is not installed (apt-get install -y nginx)")


def main_conf(tmp_path: Path, site: Path) -> Path:
    """A minimal nginx.conf that includes ``site`` in its http block, everything in tmp."""
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'};\n"
        "events {}\n"
        "http {\n"
        "  access_log off;\n"
        + "".join(f"  {name}_temp_path {path};\n" if name != "body"
                  else f"  client_body_temp_path {path};\n" for name, path in temp.items())
        + f"  include {site};\n"
        "}\n")
    return conf


def test_the_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx = nginx_or_skip()
    conf = main_conf(tmp_path, CONF)
    result = subprocess.run([nginx, "-t", "-c", str(conf), "-e", str(tmp_path / "error.log")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.fixture
def nginx_in_front(tmp_path: Path, server: int) -> Iterator[int]:  # noqa: F811
    """nginx with the shipped site, moved to a free port and to the test server's port."""
    nginx = nginx_or_skip()
    port = free_port()
    text = CONF.read_text()
    assert "listen 80;" in text and "server 127.0.0.1:5001;" in text
    site = tmp_path / "site.conf"
    site.write_text(text.replace("listen 80;", f"listen 127.0.0.1:{port};")
                    .replace("listen [::]:80;", "")
                    .replace("server 127.0.0.1:5001;", f"server 127.0.0.1:{server};"))
    conf = main_conf(tmp_path, site)
    proc = subprocess.Popen([nginx, "-c", str(conf), "-e", str(tmp_path / "error.log"),
                             "-g", "daemon off;"], start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)


def test_nginx_passes_reads_to_themepark_serve_and_refuses_writes(nginx_in_front: int) -> None:
    base = f"http://127.0.0.1:{nginx_in_front}"
    with urllib.request.urlopen(f"{base}/api/openapi.json", timeout=10) as response:
        assert response.status == 200
        assert "paths" in json.loads(response.read())
    with urllib.request.urlopen(f"{base}/", timeout=10) as response:
        assert b"<html" in response.read().lower()
    post = urllib.request.Request(f"{base}/api/openapi.json", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(post, timeout=10)
    assert refused.value.code == 403
