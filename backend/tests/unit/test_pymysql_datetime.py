"""The engine's DATETIME converter for PyMySQL gives what PyMySQL's own gives, faster."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from pymysql import converters
from pymysql.constants import FIELD_TYPE
from sqlalchemy import event

from tests.conftest import MARIADB_SERVER_URL, mariadb_reachable_or_skip
from themepark_tracker.db.engine import make_engine, pymysql_conversions

VALUES = [
    "2025-12-04 05:00:00", "2025-12-04 05:00:00.5", "2025-12-04 05:00:00.123",
    "2025-12-04 05:00:00.123456", "2025-12-04T05:00:00", "1970-01-01 00:00:00",
    "9999-12-31 23:59:59.999999",
    # Not valid datetimes: PyMySQL hands them back as strings (or dates), and so must we.
    "0000-00-00 00:00:00", "2025-02-31 10:00:00", "2025-12-04",
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("field", [FIELD_TYPE.DATETIME, FIELD_TYPE.TIMESTAMP])
def test_same_value_as_pymysql_for_text_and_bytes(value: str, field: int) -> None:
    convert = pymysql_conversions()[field]
    expected = converters.convert_datetime(value)
    assert convert(value) == expected
    assert convert(value.encode("ascii")) == expected
    assert type(convert(value)) is type(expected)


def test_hand_worked_values() -> None:
    convert = pymysql_conversions()[FIELD_TYPE.DATETIME]
    assert convert(b"2025-12-04 05:00:00.5") == datetime(2025, 12, 4, 5, 0, 0, 500000)
    assert convert(b"0000-00-00 00:00:00") == "0000-00-00 00:00:00"


def test_only_datetime_converters_change() -> None:
    ours = pymysql_conversions()
    changed = {k for k in ours if ours[k] is not converters.conversions.get(k)}
    assert changed == {FIELD_TYPE.DATETIME, FIELD_TYPE.TIMESTAMP}


@pytest.mark.db  # connects to MariaDB
def test_a_pymysql_engine_reads_datetimes_with_them_and_keeps_other_connect_args() -> None:
    mariadb_reachable_or_skip()
    engine = make_engine(MARIADB_SERVER_URL, connect_args={"connect_timeout": 5})
    seen: dict[str, Any] = {}

    @event.listens_for(engine, "do_connect")
    def _record(dialect: object, record: object, cargs: object, cparams: dict[str, Any]
                ) -> None:
        seen.update(cparams)

    with engine.connect() as conn:
        value = conn.exec_driver_sql(
            "SELECT CAST('2025-12-04 05:00:00.5' AS DATETIME(6))").scalar()
    engine.dispose()
    assert value == datetime(2025, 12, 4, 5, 0, 0, 500000)
    assert seen["connect_timeout"] == 5
    assert seen["conv"][FIELD_TYPE.DATETIME] is pymysql_conversions()[FIELD_TYPE.DATETIME]
