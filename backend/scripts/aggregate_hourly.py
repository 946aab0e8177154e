"""Seed entry, from backend/:

    PYTHONPATH=src python3 -m scripts.aggregate_hourly --hour="2025-12-05 07:00:00"
"""

from scripts._forward import forward

if __name__ == "__main__":
    forward("aggregate-hourly")
