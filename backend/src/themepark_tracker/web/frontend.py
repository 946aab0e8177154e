"""The static page (frontend/) at ``/``, so one server is enough for the demo."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from themepark_tracker.web.errors import envelope
from themepark_tracker.web.respond import services

bp = Blueprint("frontend", __name__)

#: The repository's frontend/ folder, for a source checkout (an editable install).
DEFAULT_FRONTEND_DIR = Path(__file__).resolve().parents[4] / "frontend"


def frontend_dir() -> Path:
    return services().frontend_dir or DEFAULT_FRONTEND_DIR


@bp.get("/")
def index() -> Response:
    return page("index.html")


@bp.get("/<path:path>")
def page(path: str) -> Response:
    folder = frontend_dir()
    if not (folder / "index.html").is_file():
        return envelope(404, "not_found",
                        f"the web page is not installed here (looked in {folder}); "
                        "the JSON API is under /api")
    response = send_from_directory(folder, path)
    response.headers["Cache-Control"] = "no-cache"
    return response
