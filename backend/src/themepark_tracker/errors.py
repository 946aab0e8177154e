"""Errors that mean "the user asked for something we cannot do", shown as a plain message."""


class UserError(Exception):
    """Bad input or a request that cannot be met; the CLI prints it and exits 1."""
