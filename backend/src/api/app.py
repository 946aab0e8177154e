"""Seed-compatibility shim: ``PYTHONPATH=src python3 -m flask --app src.api.app run --port 5001``
(run from backend/) finds ``create_app`` here and serves the API with settings from the
environment (DATABASE_NAME=themepark_tracker_dev for the local MariaDB copy)."""

from themepark_tracker.web import create_app

__all__ = ["create_app"]
