"""Fixtures shared by the mirror tests (the script's and the command's): production
databases at 011 and at the head, and a development database to mirror into."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.test_mirror_support import Source, dev_database, production
from themepark_tracker.db import migrate


@pytest.fixture(scope="module")
def prod_011() -> Iterator[Source]:
    """Production before the hourly tables (the quickstart's starting point)."""
    yield from production("011")


@pytest.fixture(scope="module")
def prod_head() -> Iterator[Source]:
    """Production that already has the hourly tables, filled."""
    yield from production(migrate.head_revision())


@pytest.fixture
def dev_name() -> Iterator[str]:
    yield from dev_database()
