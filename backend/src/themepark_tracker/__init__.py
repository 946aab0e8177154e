"""themepark-tracker: ride downtime and the weighted shame score of theme parks."""

__version__ = "0.1.0"
