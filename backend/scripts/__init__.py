"""Entry points the user's quickstart runs as ``python3 -m scripts.<name>`` from backend/.

Each one only forwards its arguments to the ``themepark`` CLI, so there is one implementation.
"""
