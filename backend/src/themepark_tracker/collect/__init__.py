"""Live collection: catalogue sync, one cycle, the long-running scheduler, and retention.

Each function here calls the sources (HTTP -> parsed observations) and hands what they return
to the one ingest path (SPEC §2); nothing here writes a snapshot by itself.
"""
