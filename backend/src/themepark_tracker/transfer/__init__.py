"""Files in and out (SPEC §8): ``import_dir`` and ``export_dir``, behind ``themepark import``
and ``themepark export``.

- ``csvformat``: file names, headers, reading and writing one value.
- ``reading``: a folder read and checked, every problem named by file and line.
- ``staging``: checked snapshot rows parked on disk until the whole folder has passed.
- ``importer``: all or nothing, through the catalogue upserts and ``ingest_cycles``.
- ``exporter``: the catalogue and raw snapshots, in a fixed order and spelling.
"""

from themepark_tracker.transfer.csvformat import CsvError
from themepark_tracker.transfer.exporter import ExportSummary, export_dir
from themepark_tracker.transfer.importer import ImportSummary, import_dir

__all__ = ["CsvError", "ExportSummary", "ImportSummary", "export_dir", "import_dir"]
