"""Run one ``themepark`` subcommand with this process's arguments."""

from __future__ import annotations

import sys


def forward(subcommand: str) -> None:
    from themepark_tracker.cli import main

    main([subcommand, *sys.argv[1:]], prog_name=f"python3 -m scripts ({subcommand})")
