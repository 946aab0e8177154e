"""Export neutralises spreadsheet formulas (probe D12) and import reverses exactly that, so
SPEC §8's round trip still holds for hostile names; on SQLite and MariaDB."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from themepark_tracker.db import tables as t
from themepark_tracker.db.engine import make_engine
from themepark_tracker.transfer import export_dir, import_dir
from themepark_tracker.transfer.csvformat import PARKS, RIDES

PARKS_CSV = (
    "park_id,name,timezone,operator,country,is_disney,is_universal,reports_down,"
    "queue_times_id,latitude,longitude\n"
    "1,@Park,UTC,=Operator,+CC,false,false,true,,-12.5,-81.25\n"
)
# The names as the probe imported them (its table row 3.29), plus the cases the guard itself
# must survive: a name that already starts with ' followed by a formula start or a '.
HOSTILE = {
    101: "=cmd|' /C calc'!A0",
    102: "@SUM(A1:A9)",
    103: "+1+1",
    104: "-2+3",
    105: '=HYPERLINK("http://example.invalid","x")',
    106: "'=quoted already",
    107: "''",
    108: "'plain",
    109: "Rock 'n' Roller Coaster",
}
# rides.csv as export writes it: the bytes a spreadsheet sees.
EXPECTED_RIDES_CSV = (
    "ride_id,park_id,name,tier,category\n"
    "101,1,'=cmd|' /C calc'!A0,2,ATTRACTION\n"
    "102,1,'@SUM(A1:A9),2,ATTRACTION\n"
    "103,1,'+1+1,2,ATTRACTION\n"
    "104,1,'-2+3,2,ATTRACTION\n"
    '105,1,"\'=HYPERLINK(""http://example.invalid"",""x"")",2,ATTRACTION\n'
    "106,1,''=quoted already,2,ATTRACTION\n"
    "107,1,''',2,ATTRACTION\n"
    "108,1,'plain,2,ATTRACTION\n"
    "109,1,Rock 'n' Roller Coaster,2,ATTRACTION\n"
)


def _write_source(folder: Path) -> Path:
    """The hostile names as a user would import them: already neutralised where a name
    starts with a formula character, the way the export writes them."""
    folder.mkdir()
    (folder / PARKS).write_text(PARKS_CSV, encoding="utf-8")
    (folder / RIDES).write_bytes(EXPECTED_RIDES_CSV.encode("utf-8"))
    return folder


def _names(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {r.ride_id: r.name for r in conn.execute(select(t.rides.c.ride_id, t.rides.c.name))}


def test_hostile_names_round_trip_and_are_neutralised_on_disk(engine: Engine, tmp_path: Path
                                                              ) -> None:
    import_dir(engine, _write_source(tmp_path / "in"))
    assert _names(engine) == HOSTILE
    with engine.connect() as conn:
        park = conn.execute(select(t.parks.c.name, t.parks.c.operator, t.parks.c.country)).one()
    assert tuple(park) == ("@Park", "=Operator", "+CC")

    export_dir(engine, tmp_path / "out")
    assert (tmp_path / "out" / RIDES).read_bytes() == EXPECTED_RIDES_CSV.encode("utf-8")
    parks_line = (tmp_path / "out" / PARKS).read_text(encoding="utf-8").splitlines()[1]
    assert parks_line == "1,'@Park,UTC,'=Operator,'+CC,false,false,true,,-12.5,-81.25"

    other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    t.metadata.create_all(other)
    try:
        import_dir(other, tmp_path / "out")
        assert _names(other) == HOSTILE
        export_dir(other, tmp_path / "again")
    finally:
        other.dispose()
    for name in (PARKS, RIDES):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()
