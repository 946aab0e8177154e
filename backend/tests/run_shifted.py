"""``themepark run`` with its clock moved forward by ``argv[1]`` seconds, for the test that
watches the scheduler cross an hour boundary without waiting for one.

It runs exactly what ``themepark run`` runs (the Scheduler over the same settings and engine);
only the clock differs. Used by tests/integration/test_run.py as a real subprocess.
"""

from __future__ import annotations

import signal
import sys
from datetime import timedelta

from themepark_tracker.cli import setup_logging
from themepark_tracker.collect.scheduler import Scheduler
from themepark_tracker.config import Settings
from themepark_tracker.db.engine import make_engine
from themepark_tracker.db.migrate import ensure_schema
from themepark_tracker.timeutil import utcnow


def main() -> None:
    offset = timedelta(seconds=float(sys.argv[1]))
    setup_logging()
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    scheduler = Scheduler(engine, settings, clock=lambda: utcnow() + offset)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: scheduler.stop.set())
    scheduler.run()


if __name__ == "__main__":
    main()
