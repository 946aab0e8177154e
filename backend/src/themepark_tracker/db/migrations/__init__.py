"""The Alembic environment of the schema (see ``themepark_tracker.db.migrate``).

A package only so that ``env.py`` and ``script.py.mako`` ship with the code; revisions live
in ``versions/`` and are loaded by Alembic from their files, not imported.
"""
