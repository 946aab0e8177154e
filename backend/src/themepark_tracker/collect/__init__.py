"""Live collection and its upkeep: the jobs behind ``themepark collect``, ``cleanup`` and ``run``.

- ``catalog``, ``schedules`` and ``cycle`` call the sources (HTTP -> parsed records;
  ``fetching`` fetches many at once) and store what they return through ingest: the catalogue
  and opening schedules with ``ingest.catalog``'s upserts, each cycle through the one snapshot
  path (SPEC §2), so nothing here writes a snapshot by itself.
- ``cleanup`` is retention: it calls no source and deletes raw snapshots already aggregated.
- ``scheduler`` runs all of them, and the aggregation, on their schedule (``themepark run``).

Every job holds its lock (``db.lock.job_lock``) while it runs.
"""
