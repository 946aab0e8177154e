"""``PYTHONPATH=src python3 -m scripts.aggregate_daily [--date YYYY-MM-DD]``."""

from scripts._forward import forward

if __name__ == "__main__":
    forward("aggregate-daily")
