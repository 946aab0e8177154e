"""Seed entry: ``PYTHONPATH=src python3 -m scripts.backfill_hourly_stats --days=7``."""

from scripts._forward import forward

if __name__ == "__main__":
    forward("backfill-hourly")
