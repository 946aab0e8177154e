"""Seed entry: ``PYTHONPATH=src python3 -m scripts.aggregate_hourly --hour="2025-12-05 07:00:00"``."""  # noqa: E501

from scripts._forward import forward

if __name__ == "__main__":
    forward("aggregate-hourly")
